package io.batpak.actors;

import static io.batpak.actors.TestSupport.KIND;
import static io.batpak.actors.TestSupport.assertChain;
import static io.batpak.actors.TestSupport.assertStored;
import static io.batpak.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.AppendReceipt;
import io.batpak.core.Coordinate;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoreStats;
import io.batpak.core.SyncMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The three sync modes: appends work in each, events survive close, and forces follow the mode. */
class SyncModeTest {
    private static ActorSystem<Void> system;

    @TempDir
    Path dir;

    @RegisterExtension
    static final StoreTestKit kit = new StoreTestKit();

    @BeforeAll
    static void useTheKitsSystem() {
        system = kit.system();
    }

    /** 40 pipelined appends plus 20 one-at-a-time appends on two entities. */
    private static List<AppendReceipt> write(BatpakStore store) {
        List<CompletionStage<AppendReceipt>> stages = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            stages.add(store.append(Coordinate.of("sync-a", "s"), KIND, "a" + i));
        }
        List<AppendReceipt> receipts = new ArrayList<>(stages.stream().map(TestSupport::await).toList());
        for (int i = 0; i < 20; i++) {
            receipts.add(await(store.append(Coordinate.of("sync-b", "s"), KIND, "b" + i)));
        }
        for (AppendReceipt r : receipts) {
            assertStored(store, r);
        }
        assertEquals(59, store.lastGlobalSequence());
        return receipts;
    }

    private void reopenAndCheck(List<AppendReceipt> receipts) {
        BatpakStore store = BatpakStore.open(StoreConfig.builder(dir).build(), system);
        try {
            assertEquals(receipts.size() - 1, store.lastGlobalSequence());
            receipts.forEach(r -> assertStored(store, r));
            assertChain(store, "sync-a", 40);
            assertChain(store, "sync-b", 20);
        } finally {
            TestSupport.closeStore(store);
        }
    }

    @Test
    void noneNeverForcesBeforeClose() {
        BatpakStore store = BatpakStore.open(StoreConfig.builder(dir).syncMode(SyncMode.NONE).build(), system);
        List<AppendReceipt> receipts;
        try {
            receipts = write(store);
            StoreStats stats = store.stats();
            assertEquals(0, stats.fsyncs(), "NONE forces only on rotation and close: " + stats);
            assertTrue(stats.groupCommits() > 0);
            assertEquals(60, stats.appends());
        } finally {
            TestSupport.closeStore(store);
        }
        reopenAndCheck(receipts);
    }

    @Test
    void noneForcesOnlyAtRotation() {
        StoreConfig config = StoreConfig.builder(dir).syncMode(SyncMode.NONE).segmentMaxBytes(64 * 1024)
                .maxPayloadBytes(4096).build();
        BatpakStore store = BatpakStore.open(config, system);
        try {
            for (int i = 0; i < 150; i++) {
                await(store.append(Coordinate.of("rot", "s"), KIND, new byte[1000]));
            }
            StoreStats stats = store.stats();
            assertTrue(stats.segments() >= 3, stats.toString());
            assertTrue(stats.fsyncs() >= 1 && stats.fsyncs() <= stats.segments() - 1,
                    "one force per sealed segment at most: " + stats);
            assertTrue(stats.fsyncs() < stats.groupCommits(), stats.toString());
        } finally {
            TestSupport.closeStore(store);
        }
    }

    @Test
    void intervalForcesInTheBackground() throws InterruptedException {
        BatpakStore store = BatpakStore.open(StoreConfig.builder(dir).syncMode(SyncMode.interval(Duration.ofMillis(5)))
                .build(), system);
        List<AppendReceipt> receipts;
        try {
            receipts = write(store);
            // The appends were acknowledged without waiting for a force; the periodic force follows.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (store.stats().fsyncs() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            StoreStats stats = store.stats();
            assertTrue(stats.fsyncs() >= 1, "the interval timer forces written data: " + stats);
            assertTrue(stats.fsyncs() <= stats.groupCommits(), "never more than one force per commit: " + stats);
        } finally {
            TestSupport.closeStore(store);
        }
        reopenAndCheck(receipts);
    }

    @Test
    void everyCommitForcesEachGroupCommit() {
        BatpakStore store = BatpakStore.open(StoreConfig.builder(dir).syncMode(SyncMode.EVERY_COMMIT).build(), system);
        List<AppendReceipt> receipts;
        try {
            receipts = write(store);
            StoreStats stats = store.stats();
            assertEquals(stats.groupCommits(), stats.fsyncs(), stats.toString());
            assertTrue(stats.fsyncs() >= 21, "20 sequential appends need their own commits: " + stats);
        } finally {
            TestSupport.closeStore(store);
        }
        reopenAndCheck(receipts);
    }
}
