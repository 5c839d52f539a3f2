package io.batpak.streams;

import com.typesafe.config.Config;
import io.batpak.core.error.InvalidInputException;
import java.time.Duration;
import org.apache.pekko.actor.ClassicActorSystemProvider;

/**
 * How {@link Committer} batches offsets: a commit is written when {@link #maxBatch()} offsets have arrived or
 * {@link #maxInterval()} after the first uncommitted one, whichever comes first. Immutable; defaults from
 * {@code batpak.streams.committer}.
 */
public final class CommitterSettings {
    private final int maxBatch;
    private final Duration maxInterval;

    private CommitterSettings(int maxBatch, Duration maxInterval) {
        this.maxBatch = StreamsConfig.positive("committer.max-batch", maxBatch);
        this.maxInterval = StreamsConfig.positive("committer.max-interval", maxInterval);
    }

    public static CommitterSettings create(ClassicActorSystemProvider system) {
        InvalidInputException.requireArgument(system, "system");
        return fromConfig(StreamsConfig.of(system));
    }

    public static CommitterSettings defaults() {
        return fromConfig(StreamsConfig.defaults());
    }

    /** Settings from a {@code batpak.streams} config block. */
    public static CommitterSettings fromConfig(Config streams) {
        InvalidInputException.requireArgument(streams, "streams");
        return new CommitterSettings(streams.getInt("committer.max-batch"),
                streams.getDuration("committer.max-interval"));
    }

    public CommitterSettings withMaxBatch(int maxBatch) {
        return new CommitterSettings(maxBatch, maxInterval);
    }

    public CommitterSettings withMaxInterval(Duration maxInterval) {
        return new CommitterSettings(maxBatch, maxInterval);
    }

    public int maxBatch() {
        return maxBatch;
    }

    public Duration maxInterval() {
        return maxInterval;
    }

    @Override
    public String toString() {
        return "CommitterSettings[maxBatch=" + maxBatch + ", maxInterval=" + maxInterval + "]";
    }
}
