package io.batpak.core;

import io.batpak.core.error.InvalidConfigException;
import io.batpak.core.error.InvalidInputException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class StoreConfigTest {
    private static final long MIB = 1024L * 1024;

    @TempDir
    Path dir;

    @Test
    void defaultsComeFromReferenceConf() {
        StoreConfig c = StoreConfig.builder(dir).build();
        assertEquals(dir, c.dataDir());
        assertEquals(64 * MIB, c.segmentMaxBytes());
        assertSame(SyncMode.EVERY_COMMIT, c.syncMode());
        assertEquals(4096, c.groupCommitMaxEvents());
        assertEquals(8 * MIB, c.groupCommitMaxBytes());
        assertEquals(2 * Runtime.getRuntime().availableProcessors(), c.partitions());
        assertEquals(65536, c.writerQueueBound());
        assertEquals(16 * MIB, c.maxPayloadBytes());
        assertEquals(10_000, c.maxBatchItems());
        assertEquals(1_000_000, c.idempotencyWindow());
        assertTrue(c.checkpointOnClose());
        assertFalse(c.repair());
        assertEquals(100_000, c.checkpointIntervalEvents());
        assertEquals(Duration.ofSeconds(60), c.checkpointInterval());
        assertNotNull(c.codec());
        assertSame(IoFaultHook.NONE, c.ioFaultHook());
    }

    @Test
    void defaultsMatchTheShippedReferenceFile() {
        Config ref = ConfigFactory.defaultReference().getConfig("batpak");
        StoreConfig c = StoreConfig.builder(dir).build();
        assertEquals(ref.getBytes("segment-max-bytes"), c.segmentMaxBytes());
        assertEquals("every-commit", ref.getString("sync-mode"));
        assertEquals(ref.getInt("group-commit.max-events"), c.groupCommitMaxEvents());
        assertEquals(ref.getBytes("group-commit.max-bytes"), c.groupCommitMaxBytes());
        assertEquals(0, ref.getInt("partitions"), "0 in the file means 2 x processors");
        assertEquals(ref.getInt("writer-queue-bound"), c.writerQueueBound());
        assertEquals(ref.getBytes("max-payload-bytes").intValue(), c.maxPayloadBytes());
        assertEquals(ref.getInt("max-batch-items"), c.maxBatchItems());
        assertEquals(ref.getLong("idempotency-window"), c.idempotencyWindow());
        assertEquals(ref.getBoolean("checkpoint-on-close"), c.checkpointOnClose());
        assertEquals(ref.getBoolean("repair"), c.repair());
        assertEquals(ref.getLong("checkpoint-interval-events"), c.checkpointIntervalEvents());
        assertEquals(ref.getDuration("checkpoint-interval"), c.checkpointInterval());
        assertEquals("", ref.getString("data-dir"));
        assertFalse(ref.hasPath("writer-dispatcher"), "runtime settings belong to batpak-actors");
        assertFalse(ref.hasPath("close-timeout"), "runtime settings belong to batpak-actors");
    }

    @Test
    void builderOverridesEverySetting() {
        IoFaultHook hook = new IoFaultHook() {
        };
        PayloadCodec codec = new PayloadCodec(new CBORMapper());
        StoreConfig c = StoreConfig.builder(dir)
                .segmentMaxBytes(1 * MIB)
                .syncMode(SyncMode.interval(Duration.ofMillis(250)))
                .groupCommit(7, 12345)
                .partitions(3)
                .writerQueueBound(11)
                .maxPayloadBytes(1000)
                .maxBatchItems(5)
                .idempotencyWindow(0)
                .checkpointOnClose(false)
                .repair(true)
                .checkpointIntervalEvents(77)
                .checkpointInterval(Duration.ofMillis(1500))
                .codec(codec)
                .ioFaultHook(hook)
                .build();
        assertEquals(1 * MIB, c.segmentMaxBytes());
        assertEquals(SyncMode.Kind.INTERVAL, c.syncMode().kind());
        assertEquals(Duration.ofMillis(250), c.syncMode().interval());
        assertEquals(7, c.groupCommitMaxEvents());
        assertEquals(12345, c.groupCommitMaxBytes());
        assertEquals(3, c.partitions());
        assertEquals(11, c.writerQueueBound());
        assertEquals(1000, c.maxPayloadBytes());
        assertEquals(5, c.maxBatchItems());
        assertEquals(0, c.idempotencyWindow());
        assertFalse(c.checkpointOnClose());
        assertTrue(c.repair());
        assertEquals(77, c.checkpointIntervalEvents());
        assertEquals(Duration.ofMillis(1500), c.checkpointInterval());
        assertSame(codec, c.codec());
        assertSame(hook, c.ioFaultHook());
        assertSame(SyncMode.NONE, StoreConfig.builder(dir).syncMode(SyncMode.NONE).build().syncMode());
    }

    @Test
    void boundaryValuesAreAccepted() {
        StoreConfig min = StoreConfig.builder(dir).segmentMaxBytes(StoreConfig.MIN_SEGMENT_BYTES)
                .maxPayloadBytes((int) (StoreConfig.MIN_SEGMENT_BYTES - 4096 - 8 * 1024)).groupCommit(1, 1)
                .partitions(0).writerQueueBound(1).maxBatchItems(1).idempotencyWindow(0)
                .checkpointIntervalEvents(0).checkpointInterval(Duration.ZERO).build();
        assertEquals(64 * 1024, min.segmentMaxBytes());
        assertEquals(64 * 1024 - 12 * 1024, min.maxPayloadBytes());
        assertEquals(2 * Runtime.getRuntime().availableProcessors(), min.partitions(), "0 resolves to 2 x cores");
        StoreConfig max = StoreConfig.builder(dir).segmentMaxBytes(StoreConfig.MAX_SEGMENT_BYTES).maxPayloadBytes(0).build();
        assertEquals(1L << 30, max.segmentMaxBytes());
        assertEquals(0, max.maxPayloadBytes());
    }

    /** A builder change that must fail build(), and the setting the message must name. */
    static Stream<Arguments> outOfRange() {
        return Stream.of(
                bad("batpak.segment-max-bytes", b -> b.segmentMaxBytes(64 * 1024 - 1).maxPayloadBytes(0)),
                bad("batpak.segment-max-bytes", b -> b.segmentMaxBytes((1L << 30) + 1)),
                bad("batpak.segment-max-bytes", b -> b.segmentMaxBytes(0)),
                bad("batpak.group-commit.max-events", b -> b.groupCommit(0, 10)),
                bad("batpak.group-commit.max-events", b -> b.groupCommit(-5, 10)),
                bad("batpak.group-commit.max-bytes", b -> b.groupCommit(10, 0)),
                bad("batpak.partitions", b -> b.partitions(-1)),
                bad("batpak.writer-queue-bound", b -> b.writerQueueBound(0)),
                bad("batpak.max-payload-bytes", b -> b.maxPayloadBytes(-1)),
                // A payload must fit an empty segment together with the header and two 1 KiB names.
                bad("batpak.max-payload-bytes", b -> b.segmentMaxBytes(64 * 1024)),
                bad("batpak.max-payload-bytes", b -> b.segmentMaxBytes(64 * 1024)
                        .maxPayloadBytes(64 * 1024 - 4096 - 8 * 1024 + 1)),
                bad("batpak.max-batch-items", b -> b.maxBatchItems(0)),
                bad("batpak.idempotency-window", b -> b.idempotencyWindow(-1)),
                bad("batpak.checkpoint-interval-events", b -> b.checkpointIntervalEvents(-1)),
                bad("batpak.checkpoint-interval", b -> b.checkpointInterval(Duration.ofSeconds(-1))),
                bad("batpak.checkpoint-interval", b -> b.checkpointInterval(Duration.ofDays(2))));
    }

    private static Arguments bad(String setting, UnaryOperator<StoreConfig.Builder> change) {
        return Arguments.of(setting, change);
    }

    @ParameterizedTest
    @MethodSource("outOfRange")
    void buildRejectsOutOfRangeValuesNamingTheSetting(String setting, UnaryOperator<StoreConfig.Builder> change) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> change.apply(StoreConfig.builder(dir)).build());
        assertTrue(e.getMessage().startsWith("invalid configuration " + setting + ": "), e.getMessage());
    }

    @Test
    void nonPositiveSyncIntervalIsRejected() {
        assertTrue(assertThrows(InvalidConfigException.class, () -> SyncMode.interval(Duration.ZERO))
                .getMessage().contains("batpak.sync-interval"));
        assertThrows(InvalidConfigException.class, () -> SyncMode.interval(Duration.ofMillis(-1)));
        assertThrows(InvalidInputException.class, () -> SyncMode.interval(null));
    }

    private static Config conf(String text) {
        return ConfigFactory.parseString(text).withFallback(ConfigFactory.load());
    }

    @Test
    void fromConfigReadsEverySetting() {
        Path target = dir.resolve("store");
        StoreConfig c = StoreConfig.fromConfig(conf(
                "batpak { data-dir = \"" + target.toString().replace("\\", "\\\\") + "\"\n"
                        + " segment-max-bytes = 2 MiB\n sync-mode = interval\n sync-interval = 25 ms\n"
                        + " group-commit { max-events = 12, max-bytes = 64 KiB }\n partitions = 5\n"
                        + " writer-queue-bound = 99\n max-payload-bytes = 100 KiB\n max-batch-items = 7\n"
                        + " idempotency-window = 123\n checkpoint-on-close = off\n repair = on\n"
                        + " checkpoint-interval-events = 5000\n checkpoint-interval = 2 s }"));
        assertEquals(target, c.dataDir());
        assertEquals(2 * MIB, c.segmentMaxBytes());
        assertEquals(SyncMode.interval(Duration.ofMillis(25)), c.syncMode());
        assertEquals(12, c.groupCommitMaxEvents());
        assertEquals(64 * 1024, c.groupCommitMaxBytes());
        assertEquals(5, c.partitions());
        assertEquals(99, c.writerQueueBound());
        assertEquals(100 * 1024, c.maxPayloadBytes());
        assertEquals(7, c.maxBatchItems());
        assertEquals(123, c.idempotencyWindow());
        assertFalse(c.checkpointOnClose());
        assertTrue(c.repair());
        assertEquals(5000, c.checkpointIntervalEvents());
        assertEquals(Duration.ofSeconds(2), c.checkpointInterval());
    }

    @Test
    void fromConfigSyncModes() {
        String d = "batpak.data-dir = \"" + dir.toString().replace("\\", "\\\\") + "\"\n";
        assertSame(SyncMode.NONE, StoreConfig.fromConfig(conf(d + "batpak.sync-mode = none")).syncMode());
        assertSame(SyncMode.EVERY_COMMIT, StoreConfig.fromConfig(conf(d + "batpak.sync-mode = every-commit")).syncMode());
        SyncMode interval = StoreConfig.fromConfig(conf(d + "batpak.sync-mode = interval")).syncMode();
        assertEquals(SyncMode.Kind.INTERVAL, interval.kind());
        assertEquals(Duration.ofMillis(10), interval.interval(), "default sync-interval of reference.conf");
        assertEquals(Duration.ofSeconds(1), StoreConfig.fromConfig(
                conf(d + "batpak.sync-mode = interval\nbatpak.sync-interval = 1s")).syncMode().interval());
        assertEquals(Duration.ZERO, SyncMode.NONE.interval());

        InvalidConfigException bad = assertThrows(InvalidConfigException.class,
                () -> StoreConfig.fromConfig(conf(d + "batpak.sync-mode = sometimes")));
        assertTrue(bad.getMessage().contains("batpak.sync-mode"), bad.getMessage());
        assertTrue(bad.getMessage().contains("sometimes"), bad.getMessage());
        assertThrows(InvalidConfigException.class,
                () -> StoreConfig.fromConfig(conf(d + "batpak.sync-mode = EVERY_COMMIT")));
        InvalidConfigException zero = assertThrows(InvalidConfigException.class,
                () -> StoreConfig.fromConfig(conf(d + "batpak.sync-mode = interval\nbatpak.sync-interval = 0 ms")));
        assertTrue(zero.getMessage().contains("batpak.sync-interval"), zero.getMessage());
        // The interval is not read (nor checked) for the other modes.
        assertSame(SyncMode.NONE, StoreConfig.fromConfig(
                conf(d + "batpak.sync-mode = none\nbatpak.sync-interval = 0 ms")).syncMode());
    }

    @Test
    void fromConfigRangeChecksNameTheSetting() {
        String d = "batpak.data-dir = \"" + dir.toString().replace("\\", "\\\\") + "\"\n";
        InvalidConfigException seg = assertThrows(InvalidConfigException.class,
                () -> StoreConfig.fromConfig(conf(d + "batpak.segment-max-bytes = 2 GiB")));
        assertTrue(seg.getMessage().contains("batpak.segment-max-bytes"), seg.getMessage());
        InvalidConfigException payload = assertThrows(InvalidConfigException.class,
                () -> StoreConfig.fromConfig(conf(d + "batpak.max-payload-bytes = 3 GiB")));
        assertTrue(payload.getMessage().contains("batpak.max-payload-bytes"), payload.getMessage());
        InvalidConfigException window = assertThrows(InvalidConfigException.class,
                () -> StoreConfig.fromConfig(conf(d + "batpak.idempotency-window = -3")));
        assertTrue(window.getMessage().contains("batpak.idempotency-window"), window.getMessage());
    }

    @Test
    void fromConfigWithEmptyDataDirThrows() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> StoreConfig.fromConfig(ConfigFactory.load()));
        assertTrue(e.getMessage().contains("batpak.data-dir"), e.getMessage());
        assertThrows(InvalidConfigException.class, () -> StoreConfig.fromConfig(conf("batpak.data-dir = \"   \"")));
        assertThrows(InvalidConfigException.class, () -> StoreConfig.fromConfig(conf("batpak.data-dir = \"\"")));
    }

    @Test
    void builderWithGivenConfigUsesItInsteadOfTheDefaults() {
        StoreConfig c = StoreConfig.builder(dir, conf("batpak.partitions = 9\nbatpak.max-batch-items = 3")).build();
        assertEquals(9, c.partitions());
        assertEquals(3, c.maxBatchItems());
        assertEquals(64 * MIB, c.segmentMaxBytes());
        assertThrows(InvalidInputException.class, () -> StoreConfig.builder(null));
    }

    /** Every numeric setting has a documented range; a value beyond it is refused naming the setting. */
    @ParameterizedTest
    @CsvSource({
        "partitions, 2147483647", "partitions, -1", "partitions, 1025",
        "group-commit.max-events, 0", "group-commit.max-events, 1000001",
        "group-commit.max-bytes, 0", "group-commit.max-bytes, 2147483648",
        "writer-queue-bound, 0", "writer-queue-bound, 16777217",
        "max-batch-items, 0", "max-batch-items, 1000001",
        "idempotency-window, -1", "idempotency-window, 2147483648",
        "checkpoint-interval-events, -1",
        "segment-max-bytes, 65535", "segment-max-bytes, 1073741825",
        "max-payload-bytes, -1", "checkpoint-interval, -1s", "checkpoint-interval, 2d",
    })
    void everyNumericSettingIsRangeChecked(String setting, String value) {
        Config c = ConfigFactory.parseString("batpak." + setting + " = " + value)
                .withFallback(ConfigFactory.load());
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> StoreConfig.builder(Path.of("x"), c).build());
        assertEquals("batpak." + setting, e.parameter(), e.getMessage());
        assertTrue(e.getMessage().contains("batpak." + setting), e.getMessage());
    }

    @Test
    void theBuilderRefusesWhatReferenceConfWouldRefuse() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> StoreConfig.builder(Path.of("x")).partitions(Integer.MAX_VALUE).build());
        assertTrue(e.getMessage().contains("0..1024"), e.getMessage());
        InvalidInputException missing = assertThrows(InvalidInputException.class,
                () -> StoreConfig.builder(null));
        assertEquals("dataDir", missing.parameter());
        assertEquals("interval", assertThrows(InvalidInputException.class,
                () -> SyncMode.interval(null)).parameter());
        assertEquals("interval", assertThrows(InvalidInputException.class,
                () -> StoreConfig.builder(Path.of("x")).checkpointInterval(null)).parameter());
    }

    @Test
    void aWronglyTypedSettingIsRefusedNamingItsPath() {
        Config c = ConfigFactory.parseString("batpak.partitions = four").withFallback(ConfigFactory.load());
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> StoreConfig.builder(Path.of("x"), c));
        assertEquals("batpak.partitions", e.parameter());
        Config d = ConfigFactory.parseString("batpak.checkpoint-interval = soon").withFallback(ConfigFactory.load());
        assertEquals("batpak.checkpoint-interval", assertThrows(InvalidConfigException.class,
                () -> StoreConfig.builder(Path.of("x"), d)).parameter());
    }

    @Test
    void anUnknownSettingIsFoundAndTheLikelyMeantOneSuggested() {
        Config c = ConfigFactory.parseString("batpak { sync_mode = none, group-commit.max-event = 3 }")
                .withFallback(ConfigFactory.load());
        assertEquals(List.of("batpak.group-commit.max-event", "batpak.sync_mode"),
                io.batpak.core.internal.UnknownSettings.find(c.getConfig("batpak")));
        assertEquals("batpak.sync-mode", io.batpak.core.internal.UnknownSettings.suggestion("batpak.sync_mode",
                ConfigFactory.defaultReference()));
        assertEquals("batpak.group-commit.max-events", io.batpak.core.internal.UnknownSettings.suggestion(
                "batpak.group-commit.max-event", ConfigFactory.defaultReference()));
        assertEquals(List.of(), io.batpak.core.internal.UnknownSettings.find(ConfigFactory.load().getConfig("batpak")),
                "the shipped defaults are all known");
        // An unknown key is reported, not fatal: the store still builds from the rest.
        assertEquals(SyncMode.EVERY_COMMIT, StoreConfig.builder(Path.of("x"), c).build().syncMode());
    }
}
