package io.batpak.actors;

import static io.batpak.actors.TestSupport.KIND;
import static io.batpak.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.batpak.actors.internal.SpinThenParkDispatcherConfigurator;
import io.batpak.core.Coordinate;
import io.batpak.core.StoreConfig;
import io.batpak.core.SyncMode;
import io.batpak.core.error.InvalidConfigException;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The extension reads every setting from the ActorSystem's configuration, not from ConfigFactory.load(). */
class BatpakStoresTest {
    @TempDir
    Path dir;

    @Test
    void storesOpenedThroughTheExtensionUseTheSystemsConfiguration() {
        Config config = ConfigFactory.parseString("batpak { sync-mode = none, partitions = 3, close-timeout = 7 s,"
                + " append-timeout = 9 s }").withFallback(ConfigFactory.load());
        ActorTestKit kit = ActorTestKit.create("stores-ext", config);
        try {
            BatpakStores stores = BatpakStores.get(kit.system());
            assertSame(stores, BatpakStores.get(kit.system()), "one extension per system");
            try (BatpakStore store = stores.open(dir)) {
                assertEquals(SyncMode.NONE, store.config().syncMode());
                assertEquals(3, store.config().partitions());
                assertEquals(Duration.ofSeconds(7), store.settings().closeTimeout());
                assertEquals(Duration.ofSeconds(9), store.settings().appendTimeout());
                assertEquals(0, await(store.append(Coordinate.of("e", "s"), KIND, new byte[] {1})).globalSequence());
            }
            // BatpakStore.open(config, system) reads the runtime settings from the system too.
            try (BatpakStore store = BatpakStore.open(stores.configBuilder(dir).build(), kit.system())) {
                assertEquals(Duration.ofSeconds(7), store.settings().closeTimeout());
                assertEquals(0, store.lastGlobalSequence());
            }
        } finally {
            kit.shutdownTestKit();
        }
    }

    @Test
    void aWronglyTypedRuntimeSettingNamesItsPath() {
        Config config = ConfigFactory.parseString("batpak.close-timeout = soon").withFallback(ConfigFactory.load());
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> RuntimeSettings.fromConfig(config));
        assertEquals("batpak.close-timeout", e.parameter());
        Config zero = ConfigFactory.parseString("batpak.append-timeout = 0 s").withFallback(ConfigFactory.load());
        assertEquals("batpak.append-timeout", assertThrows(InvalidConfigException.class,
                () -> RuntimeSettings.fromConfig(zero)).parameter());
        Config turn = ConfigFactory.parseString("batpak.fanout.max-events-per-turn = 0").withFallback(ConfigFactory.load());
        assertEquals("batpak.fanout.max-events-per-turn", assertThrows(InvalidConfigException.class,
                () -> RuntimeSettings.fromConfig(turn)).parameter());
        Config replies = ConfigFactory.parseString("batpak.writer-replies-up-to = -1").withFallback(ConfigFactory.load());
        assertEquals("batpak.writer-replies-up-to", assertThrows(InvalidConfigException.class,
                () -> RuntimeSettings.fromConfig(replies)).parameter());
    }

    @Test
    void aWriterSpinOutsideItsRangeIsRefusedAtOpenNamingItsPath(@TempDir Path dir) {
        for (String bad : new String[] {"-1 ms", "11 ms", "often"}) {
            Config config = ConfigFactory.parseString("batpak.writer-dispatcher.spin-before-park = \"" + bad + "\"")
                    .withFallback(ConfigFactory.load());
            ActorTestKit kit = ActorTestKit.create("spin", config);
            try {
                InvalidConfigException e = assertThrows(InvalidConfigException.class,
                        () -> BatpakStore.open(StoreConfig.builder(dir).build(), kit.system()));
                assertEquals("batpak.writer-dispatcher.spin-before-park", e.parameter(), bad);
            } finally {
                kit.shutdownTestKit();
            }
        }
        assertEquals(Duration.ofMillis(0), SpinThenParkDispatcherConfigurator.spinBeforePark(
                ConfigFactory.parseString("spin-before-park = 0 s"), "d"));
    }

    @Test
    void runtimeDefaultsComeFromTheActorsReferenceConf() {
        RuntimeSettings s = RuntimeSettings.defaults();
        assertEquals(Duration.ofSeconds(30), s.closeTimeout());
        assertEquals(Duration.ofSeconds(60), s.appendTimeout());
        assertEquals(Duration.ofSeconds(30), s.batchTimeout());
        assertEquals(1024, s.fanoutMaxEventsPerTurn());
        assertEquals("batpak.writer-dispatcher", s.writerDispatcher());
        assertEquals("batpak.io-dispatcher", s.ioDispatcher());
        assertEquals("batpak.fanout-dispatcher", s.fanoutDispatcher());
        RuntimeSettings changed = s.withCloseTimeout(Duration.ofSeconds(1)).withFanoutMaxEventsPerTurn(5);
        assertEquals(Duration.ofSeconds(1), changed.closeTimeout());
        assertEquals(5, changed.fanoutMaxEventsPerTurn());
        assertEquals(Duration.ofSeconds(30), s.closeTimeout(), "with... returns a copy");
    }
}
