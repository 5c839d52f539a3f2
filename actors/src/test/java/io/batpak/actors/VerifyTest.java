package io.batpak.actors;

import static io.batpak.actors.TestSupport.KIND;
import static io.batpak.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.Hash;
import io.batpak.core.IntegrityBreak;
import io.batpak.core.ReadOnlyStore;
import io.batpak.core.ReceiptVerification.Outcome;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.VerifyReport;
import io.batpak.core.error.ChainBrokenException;
import io.batpak.core.internal.segment.FrameLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32C;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** verify(), verifyEntity(), walkAncestors() and verifyReceipt() of the actor store, also while appends continue. */
class VerifyTest {
    private static final List<String> ENTITIES = List.of("v0", "v1", "v2", "v3");
    private static ActorSystem<Void> system;

    @TempDir
    Path dir;

    @RegisterExtension
    static final StoreTestKit kit = new StoreTestKit();

    @BeforeAll
    static void useTheKitsSystem() {
        system = kit.system();
    }

    private StoreConfig config() {
        return StoreConfig.builder(dir).segmentMaxBytes(64 * 1024).maxPayloadBytes(4096).build();
    }

    private static Coordinate c(String entity) {
        return Coordinate.of(entity, "s");
    }

    /** Appends 200 single events and 20 batches of 3 over the entities; returns every receipt. */
    private static List<AppendReceipt> fill(BatpakStore store) {
        List<AppendReceipt> out = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            byte[] payload = new byte[500 + i];
            payload[0] = (byte) i;
            out.add(await(store.append(c(ENTITIES.get(i % 4)), KIND, payload)));
            if (i % 10 == 0) {
                out.addAll(await(store.appendBatch(List.of(
                        AppendRequest.of(c("v0"), KIND, new byte[] {1}),
                        AppendRequest.of(c("v3"), KIND, new byte[] {2}),
                        AppendRequest.of(c("v0"), KIND, new byte[] {3})))));
            }
        }
        return out;
    }

    @Test
    void cleanStoreVerifiesWithItsCounts() {
        BatpakStore store = BatpakStore.open(config(), system);
        try {
            List<AppendReceipt> receipts = fill(store);
            VerifyReport r = store.verify();
            assertTrue(r.ok(), r::toString);
            assertNull(r.entity());
            assertEquals(receipts.size(), r.events());
            assertEquals(receipts.size() - 1, r.throughGlobalSequence());
            assertEquals(4, r.entities());
            assertTrue(store.stats().segments() >= 3);
            assertEquals(store.stats().segments(), r.segments());
            long frameBytes = 0;
            for (Path seg : TestSupport.segmentFiles(dir)) {
                for (TestSupport.Frame f : TestSupport.frames(seg)) {
                    frameBytes += f.size();
                }
            }
            assertEquals(frameBytes, r.bytes());
            long sum = 0;
            for (String e : ENTITIES) {
                VerifyReport er = store.verifyEntity(e);
                assertTrue(er.ok(), er::toString);
                assertEquals(store.readEntity(e, 0, Integer.MAX_VALUE).size(), er.events());
                sum += er.events();
            }
            assertEquals(receipts.size(), sum);
            for (AppendReceipt receipt : receipts) {
                assertEquals(Outcome.UNSIGNED, store.verifyReceipt(receipt).outcome());
            }
        } finally {
            TestSupport.closeStore(store);
        }
    }

    @Test
    void verifyWhileAppendsContinue() throws Exception {
        BatpakStore store = BatpakStore.open(config(), system);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> appendError = new AtomicReference<>();
        ConcurrentLinkedQueue<AppendReceipt> receipts = new ConcurrentLinkedQueue<>();
        List<Thread> appenders = new ArrayList<>();
        try {
            for (int t = 0; t < 4; t++) {
                int id = t;
                Thread th = new Thread(() -> {
                    try {
                        for (int i = 0; !stop.get(); i++) {
                            String entity = ENTITIES.get((id + i) % 4);
                            if (i % 7 == 0) {
                                receipts.addAll(await(store.appendBatch(List.of(
                                        AppendRequest.of(c(entity), KIND, new byte[300]),
                                        AppendRequest.of(c(ENTITIES.get((id + i + 1) % 4)), KIND, new byte[200])))));
                            } else {
                                receipts.add(await(store.append(c(entity), KIND, new byte[100 + i % 400])));
                            }
                        }
                    } catch (Throwable e) {
                        appendError.compareAndSet(null, e);
                    }
                }, "appender-" + t);
                th.start();
                appenders.add(th);
            }
            long previous = -1;
            int verifiedWhileGrowing = 0;
            int round = 0;
            // Until verify has run over a growing store at least 8 times and across two rotations.
            while (verifiedWhileGrowing < 8 || store.stats().segments() < 3) {
                assertNull(appendError.get(), () -> "append failed: " + appendError.get());
                VerifyReport r = store.verify();
                assertTrue(r.ok(), r::toString);
                assertEquals(r.throughGlobalSequence() + 1, r.events(), "every event up to the watermark checked");
                assertTrue(r.throughGlobalSequence() >= previous, "the watermark never goes back");
                if (r.throughGlobalSequence() > previous && previous >= 0) {
                    verifiedWhileGrowing++;
                }
                previous = r.throughGlobalSequence();
                VerifyReport er = store.verifyEntity(ENTITIES.get(round % 4));
                assertTrue(er.ok(), er::toString);
                AppendReceipt recent = receipts.peek();
                if (recent != null) {
                    assertEquals(Outcome.UNSIGNED, store.verifyReceipt(recent).outcome());
                    assertFalse(store.walkAncestors(recent.eventId(), 5).isEmpty());
                }
                if (r.throughGlobalSequence() < 50) {
                    Thread.sleep(5);
                }
                round++;
            }
            assertTrue(verifiedWhileGrowing >= 8, "verify ran while the store grew (" + verifiedWhileGrowing + " rounds)");
        } finally {
            stop.set(true);
            for (Thread th : appenders) {
                th.join();
            }
        }
        try {
            assertNull(appendError.get(), () -> "append failed: " + appendError.get());
            VerifyReport all = store.verify();
            assertTrue(all.ok(), all::toString);
            assertEquals(receipts.size(), all.events());
            assertTrue(store.stats().segments() >= 3, "rotations happened");
            assertEquals(store.stats().segments(), all.segments());
        } finally {
            TestSupport.closeStore(store);
        }
    }

    @Test
    void walkAncestorsFollowsTheEntityBackwards() {
        BatpakStore store = BatpakStore.open(config(), system);
        try {
            fill(store);
            List<StoredEvent> v0 = store.readEntity("v0", 0, Integer.MAX_VALUE);
            StoredEvent last = v0.get(v0.size() - 1);
            List<StoredEvent> walk = store.walkAncestors(last.eventId(), 4);
            assertEquals(4, walk.size());
            for (int i = 0; i < 4; i++) {
                assertEquals(v0.get(v0.size() - 1 - i).eventId(), walk.get(i).eventId());
            }
            List<StoredEvent> whole = store.walkAncestors(last.eventId(), Integer.MAX_VALUE);
            assertEquals(v0.size(), whole.size());
            assertEquals(Hash.ZERO, whole.get(whole.size() - 1).prevHash());
            for (int i = 0; i + 1 < whole.size(); i++) {
                assertEquals(whole.get(i + 1).eventHash(), whole.get(i).prevHash());
            }
        } finally {
            TestSupport.closeStore(store);
        }
    }

    /** Changes the frame at {@code f} in {@code segment} and recomputes its CRC32C. */
    private static void editFrame(Path segment, TestSupport.Frame f, java.util.function.Consumer<ByteBuffer> edit) {
        try {
            byte[] file = Files.readAllBytes(segment);
            ByteBuffer frame = ByteBuffer.wrap(file, (int) f.offset(), (int) f.size()).slice().order(ByteOrder.LITTLE_ENDIAN);
            edit.accept(frame);
            CRC32C crc = new CRC32C();
            crc.update(file, (int) f.offset() + FrameLayout.PREFIX_LENGTH, (int) f.size() - FrameLayout.PREFIX_LENGTH);
            frame.putInt(FrameLayout.CRC_OFFSET, (int) crc.getValue());
            Files.write(segment, file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void payloadChangedInASealedSegmentIsFoundByVerifyNotByOpen() {
        BatpakStore store = BatpakStore.open(config(), system);
        List<AppendReceipt> receipts;
        try {
            receipts = fill(store);
        } finally {
            TestSupport.closeStore(store);
        }
        Map<Long, AppendReceipt> byGlobal = new HashMap<>();
        receipts.forEach(r -> byGlobal.put(r.globalSequence(), r));
        Path sealed = TestSupport.segmentFiles(dir).get(0);
        List<TestSupport.Frame> frames = TestSupport.frames(sealed);
        TestSupport.Frame f = frames.get(frames.size() / 2);
        AppendReceipt victim = byGlobal.get(f.globalSequence());
        assertTrue(victim.entitySequence() > 0);
        editFrame(sealed, f, frame -> {
            int at = (int) f.size() - 1;
            frame.put(at, (byte) (frame.get(at) ^ 0x55));
        });

        // A checkpoint covers the segment, and checksums hold: the store opens and serves it.
        BatpakStore reopened = BatpakStore.open(config(), system);
        try {
            assertTrue(reopened.stats().openedFromCheckpoint());
            VerifyReport r = reopened.verify();
            IntegrityBreak b = r.firstBreak();
            assertEquals(IntegrityBreak.Reason.PAYLOAD_DIGEST, b.reason(), r::toString);
            assertEquals(sealed, b.file());
            assertEquals(f.offset(), b.offset());
            assertEquals(victim.eventId(), b.eventId());
            assertEquals(victim.globalSequence(), b.globalSequence());
            assertEquals(victim.coordinate().entity(), b.entity());
            assertEquals(victim.entitySequence(), b.entitySequence());
            assertEquals(f.globalSequence(), r.events());
            assertEquals(b, reopened.verifyEntity(victim.coordinate().entity()).firstBreak());

            List<StoredEvent> stream = reopened.readEntity(victim.coordinate().entity(), 0, Integer.MAX_VALUE);
            ChainBrokenException e = assertThrows(ChainBrokenException.class,
                    () -> reopened.walkAncestors(stream.get(stream.size() - 1).eventId(), Integer.MAX_VALUE));
            assertEquals(b, e.breakage());
            assertEquals(Outcome.EVENT_HASH_MISMATCH, reopened.verifyReceipt(victim).outcome());
            // Appends continue; damage found by verify is not repaired by it.
            await(reopened.append(c("v1"), KIND, new byte[] {9}));
        } finally {
            TestSupport.closeStore(reopened);
        }
        try (ReadOnlyStore ro = ReadOnlyStore.open(config())) {
            assertEquals(IntegrityBreak.Reason.PAYLOAD_DIGEST, ro.verify().firstBreak().reason());
            assertEquals(f.offset(), ro.verify().firstBreak().offset());
        }
    }

    @Test
    void anActorStoreAndAReadOnlyOpenOfItAgree() {
        BatpakStore store = BatpakStore.open(config(), system);
        List<AppendReceipt> receipts;
        VerifyReport live;
        try {
            receipts = fill(store);
            live = store.verify();
        } finally {
            TestSupport.closeStore(store);
        }
        try (ReadOnlyStore ro = ReadOnlyStore.open(config())) {
            VerifyReport r = ro.verify();
            assertEquals(live, r);
            for (AppendReceipt receipt : receipts) {
                assertEquals(Outcome.UNSIGNED, ro.verifyReceipt(receipt).outcome());
                assertEquals(receipt, ro.get(receipt.eventId()).orElseThrow().toReceipt());
            }
            assertEquals(receipts.size() - 1, ro.lastGlobalSequence());
        }
    }
}
