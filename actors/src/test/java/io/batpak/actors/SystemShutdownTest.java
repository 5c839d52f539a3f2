package io.batpak.actors;

import static io.batpak.actors.TestSupport.KIND;
import static io.batpak.actors.TestSupport.assertStored;
import static io.batpak.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.batpak.core.AppendReceipt;
import io.batpak.core.Coordinate;
import io.batpak.core.StoreConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ActorSystem that terminates before {@code store.close()}: the store closes itself in CoordinatedShutdown, and a
 * close() called afterwards (even when CoordinatedShutdown did not run) completes within its timeout and releases
 * the directory.
 */
class SystemShutdownTest {
    @TempDir
    Path dir;

    private List<AppendReceipt> appendSome(BatpakStore store) {
        List<AppendReceipt> acked = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            acked.add(await(store.append(Coordinate.of("e" + (i % 3), "s"), KIND, new byte[] {(byte) i})));
        }
        return acked;
    }

    private void reopenFindsEverything(List<AppendReceipt> acked) {
        BatpakStore again = BatpakStore.open(StoreConfig.builder(dir).build());
        try {
            acked.forEach(r -> assertStored(again, r));
            assertTrue(again.verify().ok());
        } finally {
            TestSupport.closeStore(again);
        }
    }

    @Test
    void terminatingTheSystemClosesTheStoreThroughCoordinatedShutdown() {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "shutdown-test");
        BatpakStore store = BatpakStore.open(StoreConfig.builder(dir).build(), system);
        List<AppendReceipt> acked = appendSome(store);
        system.terminate();
        await(system.getWhenTerminated());
        await(store.closeAsync()); // already closed by CoordinatedShutdown: completes at once
        assertTrue(store.stats().events() >= acked.size());
        reopenFindsEverything(acked);
    }

    @Test
    void closeAfterTheSystemTerminatedWithoutCoordinatedShutdownStillCompletesAndUnlocks() {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "shutdown-test-no-cs", ConfigFactory
                .parseString("pekko.coordinated-shutdown.run-by-actor-system-terminate = off")
                .withFallback(ConfigFactory.load()));
        StoreConfig config = StoreConfig.builder(dir).build();
        BatpakStore store = BatpakStore.open(config, system,
                RuntimeSettings.fromConfig(system.settings().config()).withCloseTimeout(Duration.ofSeconds(5)));
        List<AppendReceipt> acked = appendSome(store);
        system.terminate();
        await(system.getWhenTerminated());
        await(store.closeAsync());
        reopenFindsEverything(acked);
    }
}
