package io.batpak.streams;

import com.typesafe.config.Config;
import io.batpak.core.error.InvalidInputException;
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
        this.overflowPolicy = InvalidInputException.requireArgument(overflowPolicy, "overflowPolicy");
    }

    /** Settings from {@code batpak.streams.subscription} of the system's configuration. */
    public static SubscriptionSettings create(ClassicActorSystemProvider system) {
        InvalidInputException.requireArgument(system, "system");
        return fromConfig(StreamsConfig.of(system));
    }

    /** Settings from {@code batpak.streams.subscription} of {@code ConfigFactory.load()}. */
    public static SubscriptionSettings defaults() {
        return fromConfig(StreamsConfig.defaults());
    }

    /** Settings from a {@code batpak.streams} config block. */
    public static SubscriptionSettings fromConfig(Config streams) {
        InvalidInputException.requireArgument(streams, "streams");
        return new SubscriptionSettings(streams.getInt("subscription.buffer-size"),
                OverflowPolicy.parse(StreamsConfig.ROOT + ".subscription.overflow-policy",
                        streams.getString("subscription.overflow-policy")));
    }

    /** Events buffered for the consumer (at least 1). */
    public SubscriptionSettings withBufferSize(int bufferSize) {
        return new SubscriptionSettings(bufferSize, overflowPolicy);
    }

    public SubscriptionSettings withOverflowPolicy(OverflowPolicy policy) {
        InvalidInputException.requireArgument(policy, "policy");
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
