package io.batpak.projections;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.batpak.core.error.InvalidConfigException;
import io.batpak.core.error.InvalidInputException;
import java.time.Duration;
import org.apache.pekko.actor.ClassicActorSystemProvider;

/**
 * How a read model batches: it commits when {@link #batchSize()} events arrived or {@link #batchInterval()} after
 * the first of the batch, whichever comes first; its cursor reads {@link #readBatchSize()} events at a time.
 * Defaults from {@code batpak.projections.read-model}; immutable.
 */
public final class ReadModelSettings {
    private final int batchSize;
    private final Duration batchInterval;
    private final int readBatchSize;

    private ReadModelSettings(int batchSize, Duration batchInterval, int readBatchSize) {
        if (batchSize < 1) {
            throw new InvalidConfigException("batpak.projections.read-model.batch-size", "must be > 0, was " + batchSize);
        }
        if (batchInterval.isNegative() || batchInterval.isZero()) {
            throw new InvalidConfigException("batpak.projections.read-model.batch-interval", "must be > 0, was "
                    + batchInterval);
        }
        if (readBatchSize < 1) {
            throw new InvalidConfigException("batpak.projections.read-model.read-batch-size", "must be > 0, was "
                    + readBatchSize);
        }
        this.batchSize = batchSize;
        this.batchInterval = batchInterval;
        this.readBatchSize = readBatchSize;
    }

    public static ReadModelSettings create(ClassicActorSystemProvider system) {
        InvalidInputException.requireArgument(system, "system");
        return fromConfig(system.classicSystem().settings().config());
    }

    public static ReadModelSettings fromConfig(Config config) {
        InvalidInputException.requireArgument(config, "config");
        try {
            Config c = config.getConfig("batpak.projections.read-model");
            return new ReadModelSettings(c.getInt("batch-size"), c.getDuration("batch-interval"),
                    c.getInt("read-batch-size"));
        } catch (ConfigException e) {
            throw new InvalidConfigException("batpak.projections.read-model", e.getMessage(), e);
        }
    }

    public int batchSize() {
        return batchSize;
    }

    public Duration batchInterval() {
        return batchInterval;
    }

    public int readBatchSize() {
        return readBatchSize;
    }

    /** Events per transaction at most (1: one event per transaction). */
    public ReadModelSettings withBatchSize(int size) {
        return new ReadModelSettings(size, batchInterval, readBatchSize);
    }

    public ReadModelSettings withBatchInterval(Duration interval) {
        return new ReadModelSettings(batchSize, InvalidInputException.requireArgument(interval, "interval"),
                readBatchSize);
    }

    public ReadModelSettings withReadBatchSize(int size) {
        return new ReadModelSettings(batchSize, batchInterval, size);
    }

    @Override
    public String toString() {
        return "ReadModelSettings[batchSize=" + batchSize + ", batchInterval=" + batchInterval + ", readBatchSize="
                + readBatchSize + "]";
    }
}
