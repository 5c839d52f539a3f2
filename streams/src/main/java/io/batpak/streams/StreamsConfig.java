package io.batpak.streams;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.batpak.core.error.InvalidConfigException;
import org.apache.pekko.actor.ClassicActorSystemProvider;

/** Reads {@code batpak.streams} settings. */
final class StreamsConfig {
    static final String ROOT = "batpak.streams";

    private StreamsConfig() {
    }

    static Config of(ClassicActorSystemProvider system) {
        return system.classicSystem().settings().config().getConfig(ROOT);
    }

    static Config defaults() {
        return ConfigFactory.load().getConfig(ROOT);
    }

    static int positive(String setting, int value) {
        if (value < 1) {
            throw new InvalidConfigException(ROOT + "." + setting, "must be >= 1, was " + value);
        }
        return value;
    }

    static java.time.Duration positive(String setting, java.time.Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new InvalidConfigException(ROOT + "." + setting, "must be a positive duration, was " + value);
        }
        return value;
    }
}
