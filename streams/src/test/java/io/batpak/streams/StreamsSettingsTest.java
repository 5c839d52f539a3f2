package io.batpak.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.batpak.core.error.InvalidConfigException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Stream settings: defaults from reference.conf, overrides, and range checks that name the setting. */
class StreamsSettingsTest {

    private static Config streams(String overrides) {
        return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultReference())
                .getConfig("batpak.streams");
    }

    @Test
    void defaultsComeFromTheShippedReferenceFile() {
        Config ref = ConfigFactory.defaultReference().getConfig("batpak.streams");
        assertEquals(ref.getInt("subscription.buffer-size"), SubscriptionSettings.defaults().bufferSize());
        assertEquals(OverflowPolicy.DROP_NEWEST, SubscriptionSettings.defaults().overflowPolicy());
        assertEquals(ref.getInt("cursor.batch-size"), CursorSettings.defaults().batchSize());
        assertEquals(-1, CursorSettings.defaults().startAfter());
        assertTrue(CursorSettings.defaults().checkpointId().isEmpty());
        assertFalse(CursorSettings.defaults().completeAtHead());
        assertEquals(ref.getInt("committer.max-batch"), CommitterSettings.defaults().maxBatch());
        assertEquals(ref.getDuration("committer.max-interval"), CommitterSettings.defaults().maxInterval());
        assertEquals(ref.getInt("append.parallelism"), AppendSettings.defaults().parallelism());
        assertEquals(ref.getDuration("append.overload-backoff"), AppendSettings.defaults().overloadBackoff());
        assertEquals(ref.getInt("reactor.parallelism"), ReactorSettings.defaults().parallelism());
    }

    @Test
    void configOverridesAreRead() {
        Config c = streams("batpak.streams { subscription { buffer-size = 7, overflow-policy = fail }, "
                + "cursor.batch-size = 9, committer { max-batch = 3, max-interval = 5 ms }, "
                + "append { parallelism = 2, overload-backoff = 1 ms }, reactor.parallelism = 4 }");
        assertEquals(7, SubscriptionSettings.fromConfig(c).bufferSize());
        assertEquals(OverflowPolicy.FAIL, SubscriptionSettings.fromConfig(c).overflowPolicy());
        assertEquals(9, CursorSettings.fromConfig(c).batchSize());
        assertEquals(3, CommitterSettings.fromConfig(c).maxBatch());
        assertEquals(Duration.ofMillis(5), CommitterSettings.fromConfig(c).maxInterval());
        assertEquals(2, AppendSettings.fromConfig(c).parallelism());
        assertEquals(Duration.ofMillis(1), AppendSettings.fromConfig(c).overloadBackoff());
        ReactorSettings r = ReactorSettings.fromConfig(c);
        assertEquals(4, r.parallelism());
        assertEquals(9, r.cursor().batchSize());
        assertEquals(3, r.committer().maxBatch());
    }

    @Test
    void outOfRangeValuesAreRejectedNamingTheSetting() {
        assertNames("batpak.streams.subscription.buffer-size",
                () -> SubscriptionSettings.defaults().withBufferSize(0));
        assertNames("batpak.streams.subscription.overflow-policy",
                () -> SubscriptionSettings.fromConfig(streams("batpak.streams.subscription.overflow-policy = block")));
        assertNames("batpak.streams.cursor.batch-size", () -> CursorSettings.defaults().withBatchSize(0));
        assertNames("batpak.streams.committer.max-batch", () -> CommitterSettings.defaults().withMaxBatch(-1));
        assertNames("batpak.streams.committer.max-interval",
                () -> CommitterSettings.defaults().withMaxInterval(Duration.ZERO));
        assertNames("batpak.streams.append.parallelism", () -> AppendSettings.defaults().withParallelism(0));
        assertNames("batpak.streams.append.overload-backoff",
                () -> AppendSettings.defaults().withOverloadBackoff(Duration.ofMillis(-1)));
        assertNames("batpak.streams.reactor.parallelism", () -> ReactorSettings.defaults().withParallelism(0));
    }

    private static void assertNames(String setting, Runnable build) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, build::run);
        assertTrue(e.getMessage().contains(setting), e.getMessage());
    }
}
