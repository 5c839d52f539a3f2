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
import io.batpak.core.StoredEvent;
import io.batpak.core.internal.segment.SegmentFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A write torn at any byte of the newest frame is cut back on open; everything before it survives. */
@Tag("crash")
class TornTailTest {
    private static final Coordinate T = Coordinate.of("t", "s");
    private static final int EVENTS = 6;

    private static ActorSystem<Void> system;

    @TempDir
    Path work;

    @RegisterExtension
    static final StoreTestKit kit = new StoreTestKit();

    @BeforeAll
    static void useTheKitsSystem() {
        system = kit.system();
    }

    @Test
    void truncationAtEveryByteOfTheLastFrameRecovers() {
        Path pristine = work.resolve("pristine");
        List<AppendReceipt> receipts = new ArrayList<>();
        BatpakStore store = BatpakStore.open(StoreConfig.builder(pristine).checkpointOnClose(false).build(), system);
        try {
            for (int i = 0; i < EVENTS; i++) {
                // A second entity interleaved, so the torn event is not simply "entity t's whole history".
                receipts.add(await(store.append(T, KIND, new byte[] {(byte) i})));
                await(store.append(Coordinate.of("u", "s"), KIND, new byte[] {(byte) i}));
            }
            receipts.add(await(store.append(T, KIND, new byte[] {42})));
        } finally {
            TestSupport.closeStore(store);
        }
        AppendReceipt torn = receipts.remove(receipts.size() - 1);
        AppendReceipt lastKept = receipts.get(receipts.size() - 1);

        List<TestSupport.Frame> frames = TestSupport.frames(TestSupport.newestSegment(pristine));
        TestSupport.Frame last = frames.get(frames.size() - 1);
        assertEquals(torn.globalSequence(), last.globalSequence());
        assertTrue(last.size() < 240, "keep the frame small: " + last.size());

        for (long k = 0; k < last.size(); k++) {
            Path copy = work.resolve("cut-" + k);
            TestSupport.copyDir(pristine, copy);
            TestSupport.crashDuringWrite(copy, last, last.offset() + k);
            String what = "cut " + k + " bytes into the last frame";
            StoreConfig config = StoreConfig.builder(copy).checkpointOnClose(false).build();
            BatpakStore s = BatpakStore.open(config, system);
            AppendReceipt next;
            try {
                assertEquals(k, s.stats().truncatedTailBytes(), what);
                if (k > 0) {
                    assertTrue(s.stats().truncatedTailBytes() > 0, what);
                }
                assertEquals(torn.globalSequence() - 1, s.lastGlobalSequence(), what);
                assertTrue(s.get(torn.eventId()).isEmpty(), what);
                for (AppendReceipt r : receipts) {
                    assertStored(s, r);
                }
                List<StoredEvent> t = assertChain(s, "t", EVENTS);
                for (int i = 0; i < EVENTS; i++) {
                    assertEquals(i, t.get(i).payload()[0], what);
                }
                assertChain(s, "u", EVENTS);

                next = await(s.append(T, KIND, new byte[] {7}));
                assertEquals(torn.globalSequence(), next.globalSequence(), what);
                assertEquals(EVENTS, next.entitySequence(), what);
                StoredEvent stored = s.get(next.eventId()).orElseThrow();
                assertEquals(lastKept.eventHash(), stored.prevHash(), what + ": chains to the last surviving event");
                assertChain(s, "t", EVENTS + 1);
            } finally {
                TestSupport.closeStore(s);
            }
            if (k % 16 == 0 || k == last.size() - 1) {
                BatpakStore again = BatpakStore.open(config, system);
                try {
                    assertEquals(0, again.stats().truncatedTailBytes(), what);
                    assertStored(again, next);
                    assertChain(again, "t", EVENTS + 1);
                } finally {
                    TestSupport.closeStore(again);
                }
            }
        }
    }

    /** A crash while a new segment's header was being written leaves a short file after the sealed ones. */
    @Test
    void newSegmentWithATornHeaderIsDroppedAndRecreated() {
        Path pristine = work.resolve("pristine");
        StoreConfig pristineConfig = StoreConfig.builder(pristine).checkpointOnClose(false)
                .segmentMaxBytes(64 * 1024).maxPayloadBytes(4096).build();
        List<AppendReceipt> receipts = new ArrayList<>();
        BatpakStore store = BatpakStore.open(pristineConfig, system);
        try {
            while (store.stats().segments() < 2) {
                receipts.add(await(store.append(T, KIND, new byte[1000])));
            }
        } finally {
            TestSupport.closeStore(store);
        }
        List<Path> segments = TestSupport.segmentFiles(pristine);
        assertEquals(2, segments.size());
        long firstOfNewest = TestSupport.frames(segments.get(1)).get(0).globalSequence();
        List<AppendReceipt> sealed = receipts.stream().filter(r -> r.globalSequence() < firstOfNewest).toList();
        AppendReceipt lastSealed = sealed.get(sealed.size() - 1);

        for (int k = 0; k <= 64; k += (k < 8 || k > 56 ? 1 : 8)) {
            Path copy = work.resolve("header-" + k);
            TestSupport.copyDir(pristine, copy);
            TestSupport.truncate(TestSupport.newestSegment(copy), k);
            // The crash came while the new segment was being started: the mark still describes the sealed one.
            TestSupport.markDurable(copy, SegmentFiles.parse(segments.get(0).getFileName().toString()),
                    TestSupport.fileSize(segments.get(0)), firstOfNewest);
            String what = "new segment cut to " + k + " bytes";
            StoreConfig config = StoreConfig.builder(copy).checkpointOnClose(false).segmentMaxBytes(64 * 1024)
                    .maxPayloadBytes(4096).build();
            BatpakStore s = BatpakStore.open(config, system);
            try {
                assertEquals(k == 64 ? 0 : k, s.stats().truncatedTailBytes(), what);
                assertEquals(firstOfNewest - 1, s.lastGlobalSequence(), what);
                sealed.forEach(r -> assertStored(s, r));
                assertChain(s, "t", sealed.size());
                AppendReceipt next = await(s.append(T, KIND, new byte[] {1}));
                assertEquals(firstOfNewest, next.globalSequence(), what);
                assertEquals(lastSealed.eventHash(), s.get(next.eventId()).orElseThrow().prevHash(), what);
            } finally {
                TestSupport.closeStore(s);
            }
            BatpakStore again = BatpakStore.open(config, system);
            try {
                assertEquals(0, again.stats().truncatedTailBytes(), what);
                assertEquals(firstOfNewest, again.lastGlobalSequence(), what);
                assertChain(again, "t", sealed.size() + 1);
            } finally {
                TestSupport.closeStore(again);
            }
        }
    }
}
