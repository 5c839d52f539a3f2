package io.batpak.cli.internal;

import com.typesafe.config.Config;
import java.time.Duration;

/** The tool's settings, from {@code batpak.cli} of {@code reference.conf} (and a {@code --config} file). */
record CliSettings(int defaultLimit, Duration tailPollInterval, int tailBatchSize, int tablePayloadWidth,
                   long progressMinSteps, Duration shutdownTimeout, Config actorSystem) {

    static CliSettings from(Config config) {
        Config c = config.getConfig("batpak.cli");
        return new CliSettings(c.getInt("default-limit"), c.getDuration("tail-poll-interval"),
                c.getInt("tail-batch-size"), c.getInt("table-payload-width"), c.getLong("progress-min-steps"),
                c.getDuration("shutdown-timeout"), c.getConfig("actor-system"));
    }
}
