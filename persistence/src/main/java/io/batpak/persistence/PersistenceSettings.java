package io.batpak.persistence;

import com.typesafe.config.Config;
import io.batpak.core.error.InvalidConfigException;
import io.batpak.core.error.InvalidInputException;
import java.nio.file.Path;

/**
 * Settings of the Pekko Persistence plugins, read from {@code batpak.persistence} of the ActorSystem's
 * configuration ({@link #fromConfig}); the {@code with...} methods return changed copies. Immutable.
 */
public final class PersistenceSettings {
    private final Path dir;
    private final int replayBatchSize;
    private final int queryBatchSize;
    private final long snapshotInitialMapSize;
    private final int snapshotMaxReaders;
    /** Null: {@code <dir>/snapshots}. */
    private final Path snapshotDir;

    private PersistenceSettings(Path dir, int replayBatchSize, int queryBatchSize, long snapshotInitialMapSize,
                                int snapshotMaxReaders, Path snapshotDir) {
        this.dir = InvalidInputException.requireArgument(dir, "dir");
        this.snapshotDir = snapshotDir;
        this.replayBatchSize = (int) positive("replay-batch-size", replayBatchSize);
        this.queryBatchSize = (int) positive("query.batch-size", queryBatchSize);
        this.snapshotInitialMapSize = positive("snapshot.initial-map-size", snapshotInitialMapSize);
        this.snapshotMaxReaders = (int) positive("snapshot.max-readers", snapshotMaxReaders);
    }

    /**
     * Settings from the {@code batpak.persistence} block of {@code config} (a whole system configuration).
     *
     * @throws InvalidConfigException when a value is missing or out of range
     */
    public static PersistenceSettings fromConfig(Config config) {
        InvalidInputException.requireArgument(config, "config");
        try {
            Config c = config.getConfig("batpak.persistence");
            String snapshots = c.getString("snapshot.dir");
            return new PersistenceSettings(Path.of(c.getString("dir")), c.getInt("replay-batch-size"),
                    c.getInt("query.batch-size"), c.getBytes("snapshot.initial-map-size"),
                    c.getInt("snapshot.max-readers"), snapshots.isEmpty() ? null : Path.of(snapshots));
        } catch (com.typesafe.config.ConfigException e) {
            throw new InvalidConfigException("batpak.persistence", e.getMessage(), e);
        }
    }

    /** The store directory the plugins share ({@code batpak.persistence.dir}). */
    public Path dir() {
        return dir;
    }

    /**
     * The directory of the LMDB snapshot database ({@code snapshot.dir}; by default {@code snapshots} inside
     * {@link #dir()}).
     */
    public Path snapshotDir() {
        return snapshotDir != null ? snapshotDir : dir.resolve("snapshots");
    }

    /** Journal events read per index read during a replay ({@code replay-batch-size}). */
    public int replayBatchSize() {
        return replayBatchSize;
    }

    /** Events a query reads per index read ({@code query.batch-size}). */
    public int queryBatchSize() {
        return queryBatchSize;
    }

    /** Initial LMDB map size of the snapshot database in bytes ({@code snapshot.initial-map-size}). */
    public long snapshotInitialMapSize() {
        return snapshotInitialMapSize;
    }

    /** Concurrent snapshot read transactions ({@code snapshot.max-readers}). */
    public int snapshotMaxReaders() {
        return snapshotMaxReaders;
    }

    public PersistenceSettings withDir(Path dir) {
        return new PersistenceSettings(dir, replayBatchSize, queryBatchSize, snapshotInitialMapSize,
                snapshotMaxReaders, snapshotDir);
    }

    public PersistenceSettings withReplayBatchSize(int size) {
        return new PersistenceSettings(dir, size, queryBatchSize, snapshotInitialMapSize, snapshotMaxReaders,
                snapshotDir);
    }

    public PersistenceSettings withQueryBatchSize(int size) {
        return new PersistenceSettings(dir, replayBatchSize, size, snapshotInitialMapSize, snapshotMaxReaders,
                snapshotDir);
    }

    public PersistenceSettings withSnapshotInitialMapSize(long bytes) {
        return new PersistenceSettings(dir, replayBatchSize, queryBatchSize, bytes, snapshotMaxReaders, snapshotDir);
    }

    public PersistenceSettings withSnapshotDir(Path snapshotDir) {
        return new PersistenceSettings(dir, replayBatchSize, queryBatchSize, snapshotInitialMapSize,
                snapshotMaxReaders, InvalidInputException.requireArgument(snapshotDir, "snapshotDir"));
    }

    private static long positive(String name, long value) {
        if (value <= 0) {
            throw new InvalidConfigException("batpak.persistence." + name, "must be > 0, was " + value);
        }
        return value;
    }

    @Override
    public String toString() {
        return "PersistenceSettings[dir=" + dir + ", replayBatchSize=" + replayBatchSize + ", queryBatchSize="
                + queryBatchSize + ", snapshotInitialMapSize=" + snapshotInitialMapSize + ", snapshotMaxReaders="
                + snapshotMaxReaders + ", snapshotDir=" + snapshotDir() + "]";
    }
}
