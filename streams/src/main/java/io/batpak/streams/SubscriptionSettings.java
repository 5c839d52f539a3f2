package io.batpak.streams;

import com.typesafe.config.Config;
import java.util.Objects;
import org.apache.pekko.actor.ClassicActorSystemProvider;

/**
 * Settings of a live subscription: buffer size and overflow policy. Immutable; defaults from
 * {@code batpak.streams.subscription}.
 */
public final class SubscriptionSettings {
    private final int bufferSize;
    private final OverflowPolicy overflowPolicy;

    private SubscriptionSettings(int bufferSize, OverflowPolicy overflowPolicy) {
        this.bufferSize = StreamsConfig.positive("subscription.buffer-size", bufferSize);
        this.overflowPolicy = Objects.requireNonNull(overflowPolicy, "overflowPolicy");
    }

    /** Settings from {@code batpak.streams.subscription} of the system's configuration. */
    public static SubscriptionSettings create(ClassicActorSystemProvider system) {
        return fromConfig(StreamsConfig.of(system));
    }

    /** Settings from {@code batpak.streams.subscription} of {@code ConfigFactory.load()}. */
    public static SubscriptionSettings defaults() {
        return fromConfig(StreamsConfig.defaults());
    }

    /** Settings from a {@code batpak.streams} config block. */
    public static SubscriptionSettings fromConfig(Config streams) {
        return new SubscriptionSettings(streams.getInt("subscription.buffer-size"),
                OverflowPolicy.parse(StreamsConfig.ROOT + ".subscription.overflow-policy",
                        streams.getString("subscription.overflow-policy")));
    }

    /** Events buffered for the consumer (at least 1). */
    public SubscriptionSettings withBufferSize(int bufferSize) {
        return new SubscriptionSettings(bufferSize, overflowPolicy);
    }

    public SubscriptionSettings withOverflowPolicy(OverflowPolicy policy) {
        return new SubscriptionSettings(bufferSize, policy);
    }

    public int bufferSize() {
        return bufferSize;
    }

    public OverflowPolicy overflowPolicy() {
        return overflowPolicy;
    }

    @Override
    public String toString() {
        return "SubscriptionSettings[bufferSize=" + bufferSize + ", overflowPolicy=" + overflowPolicy + "]";
    }
}
