package io.batpak.streams;

import com.typesafe.config.Config;
import io.batpak.core.error.InvalidInputException;
import java.time.Duration;
import org.apache.pekko.actor.ClassicActorSystemProvider;

/**
 * Settings of the append flows and sinks: appends in flight and the wait before retrying an append the store
 * refused as overloaded. Immutable; defaults from {@code batpak.streams.append}.
 */
public final class AppendSettings {
    private final int parallelism;
    private final Duration overloadBackoff;

    private AppendSettings(int parallelism, Duration overloadBackoff) {
        this.parallelism = StreamsConfig.positive("append.parallelism", parallelism);
        this.overloadBackoff = StreamsConfig.positive("append.overload-backoff", overloadBackoff);
    }

    public static AppendSettings create(ClassicActorSystemProvider system) {
        InvalidInputException.requireArgument(system, "system");
        return fromConfig(StreamsConfig.of(system));
    }

    public static AppendSettings defaults() {
        return fromConfig(StreamsConfig.defaults());
    }

    /** Settings from a {@code batpak.streams} config block. */
    public static AppendSettings fromConfig(Config streams) {
        InvalidInputException.requireArgument(streams, "streams");
        return new AppendSettings(streams.getInt("append.parallelism"), streams.getDuration("append.overload-backoff"));
    }

    public AppendSettings withParallelism(int parallelism) {
        return new AppendSettings(parallelism, overloadBackoff);
    }

    public AppendSettings withOverloadBackoff(Duration backoff) {
        return new AppendSettings(parallelism, backoff);
    }

    public int parallelism() {
        return parallelism;
    }

    public Duration overloadBackoff() {
        return overloadBackoff;
    }

    @Override
    public String toString() {
        return "AppendSettings[parallelism=" + parallelism + ", overloadBackoff=" + overloadBackoff + "]";
    }
}
