package io.batpak.projections;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.batpak.core.error.InvalidConfigException;
import io.batpak.core.error.InvalidInputException;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.pekko.actor.ClassicActorSystemProvider;

/**
 * Settings of {@link Projections}: where its LMDB environments live and how large the map starts. Read from
 * {@code batpak.projections} of the ActorSystem's configuration ({@link #create}); immutable, {@code with...}
 * methods return changed copies.
 */
public final class ProjectionSettings {
    private final Optional<Path> dir;
    private final long initialMapSize;
    private final int maxReaders;

    private ProjectionSettings(Optional<Path> dir, long initialMapSize, int maxReaders) {
        this.dir = dir;
        if (initialMapSize < 64 * 1024) {
            throw new InvalidConfigException("batpak.projections.initial-map-size", "must be at least 64 KiB, was "
                    + initialMapSize);
        }
        if (maxReaders < 1) {
            throw new InvalidConfigException("batpak.projections.max-readers", "must be > 0, was " + maxReaders);
        }
        this.initialMapSize = initialMapSize;
        this.maxReaders = maxReaders;
    }

    /** Settings from the system's configuration. */
    public static ProjectionSettings create(ClassicActorSystemProvider system) {
        InvalidInputException.requireArgument(system, "system");
        return fromConfig(system.classicSystem().settings().config());
    }

    /** Settings from {@code ConfigFactory.load()}. */
    public static ProjectionSettings defaults() {
        return fromConfig(ConfigFactory.load());
    }

    /** Settings from the {@code batpak.projections} block of a whole configuration. */
    public static ProjectionSettings fromConfig(Config config) {
        InvalidInputException.requireArgument(config, "config");
        try {
            Config c = config.getConfig("batpak.projections");
            String dir = c.getString("dir");
            return new ProjectionSettings(dir.isEmpty() ? Optional.empty() : Optional.of(Path.of(dir)),
                    c.getBytes("initial-map-size"), c.getInt("max-readers"));
        } catch (ConfigException e) {
            throw new InvalidConfigException("batpak.projections", e.getMessage(), e);
        }
    }

    /** The directory of the LMDB environments; empty: {@code <store dir>/projections}. */
    public Optional<Path> dir() {
        return dir;
    }

    /** The first LMDB map size in bytes (it doubles whenever full). */
    public long initialMapSize() {
        return initialMapSize;
    }

    /** Concurrent read transactions. */
    public int maxReaders() {
        return maxReaders;
    }

    public ProjectionSettings withDir(Path dir) {
        return new ProjectionSettings(Optional.of(InvalidInputException.requireArgument(dir, "dir")), initialMapSize,
                maxReaders);
    }

    public ProjectionSettings withInitialMapSize(long bytes) {
        return new ProjectionSettings(dir, bytes, maxReaders);
    }

    public ProjectionSettings withMaxReaders(int readers) {
        return new ProjectionSettings(dir, initialMapSize, readers);
    }

    @Override
    public String toString() {
        return "ProjectionSettings[dir=" + dir.map(Path::toString).orElse("<store>/projections") + ", initialMapSize="
                + initialMapSize + ", maxReaders=" + maxReaders + "]";
    }
}
