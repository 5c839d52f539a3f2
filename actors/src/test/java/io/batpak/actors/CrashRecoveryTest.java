package io.batpak.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.Coordinate;
import io.batpak.core.EventId;
import io.batpak.core.EventKind;
import io.batpak.core.Hash;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 crash cycles on one store directory. Each cycle starts {@link CrashAppender} in a child JVM (8
 * concurrent append chains, atomic batches, keyed appends; in some cycles it also closes and reopens the store
 * while appending), kills it with SIGKILL at a random moment (shortly after open, after a number of
 * acknowledgements, or while it is still opening), then opens the store in this JVM and checks:
 * <ul>
 *   <li>every acknowledged event is readable by id with the acknowledged entity, entity sequence, global
 *       sequence, kind and payload;</li>
 *   <li>the global sequences of all entities together are exactly 0..lastGlobalSequence, each once;</li>
 *   <li>per entity, sequences are 0..n-1 without gaps, the hash chain links (first prevHash is
 *       {@link Hash#ZERO}), global sequences and timestamps strictly increase;</li>
 *   <li>everything seen after an earlier cycle is still there unchanged (the log only grows);</li>
 *   <li>acknowledged batches have contiguous global sequences;</li>
 *   <li>a keyed append whose acknowledgement the crash swallowed, retried with its key, is stored exactly once;
 *       a retried acknowledged one returns the original receipt;</li>
 *   <li>after an in-process close and reopen, the child sees every event it had acknowledged.</li>
 * </ul>
 * Then it closes the store and the next cycle appends to the same directory. Small segments make crashes hit
 * segment rotation; every fourth cycle the index checkpoint is removed before the check so recovery also takes
 * the full-scan path.
 *
 * <p>{@code -Dbatpak.crash.cycles=N} sets the number of cycles (10 by default, 200 with {@code -Pcrash-soak});
 * {@code -Dbatpak.crash.seed=S} replays the kill schedule of a reported seed.
 */
@Tag("crash")
class CrashRecoveryTest {
    private static final int APPENDERS = 8;
    private static final int ENTITIES = 12;
    private static final long SEGMENT_BYTES = 128 * 1024;
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration APPEND_TIMEOUT = Duration.ofSeconds(60);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;

    /** An acknowledgement line of the child (or a receipt of a retry in this JVM). */
    record Ack(EventId id, String entity, long entitySeq, long globalSeq, int kind, byte[] payload, String tag) {
        static Ack parse(String line) {
            String[] f = line.split(" ");
            if (f.length != 8 || !f[0].equals("ACK")) {
                throw new AssertionError("malformed ACK line: " + line);
            }
            return new Ack(EventId.parse(f[1]), f[2], Long.parseLong(f[3]), Long.parseLong(f[4]),
                    Integer.parseInt(f[5]), unhex(f[6]), f[7]);
        }
    }

    /** A keyed append the child announced before issuing it. */
    record Send(UUID key, String entity, int kind, byte[] payload) {
        static Send parse(String line) {
            String[] f = line.split(" ");
            if (f.length != 5 || !f[0].equals("SEND")) {
                throw new AssertionError("malformed SEND line: " + line);
            }
            return new Send(UUID.fromString(f[1]), f[2], Integer.parseInt(f[3]), unhex(f[4]));
        }
    }

    /** What the child printed in one cycle. */
    static final class CycleOutput {
        final List<Ack> acks = new ArrayList<>();
        final Map<UUID, Send> sends = new LinkedHashMap<>();
        final Map<UUID, Ack> keyedAcks = new LinkedHashMap<>();
        final List<String> errors = new ArrayList<>();
        long maxAckedGlobal = -1;
        int reopens;
    }

    /** Event ids by global sequence of everything seen so far, to check that the log only grows. */
    private long[] seenMsb = new long[1 << 16];
    private long[] seenLsb = new long[1 << 16];
    private long seenCount;
    /** lastGlobalSequence when this JVM last closed the store: what the next child must recover. */
    private long lastAtClose = -1;
    /** Receipts of retries done at the end of the previous cycle, checked by the next one. */
    private List<Ack> carried = new ArrayList<>();
    private long retriesFound;
    private long retriesStored;

    static byte[] unhex(String s) {
        return s.equals("-") ? new byte[0] : HexFormat.of().parseHex(s);
    }

    private static StoreConfig config(Path dir) {
        return CrashAppender.config(dir, SEGMENT_BYTES);
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.HOURS)
    void acknowledgedEventsSurviveKillMinusNine() throws Exception {
        int cycles = Integer.getInteger("batpak.crash.cycles", 10);
        long seed = Long.getLong("batpak.crash.seed", System.nanoTime());
        Random rnd = new Random(seed);
        Path dir = tmp.resolve("store");
        System.out.printf("crash test: %d cycles, seed %d (-Dbatpak.crash.seed=%d to replay), dir %s%n",
                cycles, seed, seed, dir);
        long t0 = System.nanoTime();
        long totalAcks = 0;
        for (int cycle = 0; cycle < cycles; cycle++) {
            String where = "cycle " + cycle + " of " + cycles + ", seed " + seed;
            totalAcks += runCycle(cycle, rnd, dir, where);
        }
        // The retries of the last cycle are checked by one more clean open.
        verify(dir, new CycleOutput(), false, "final check, seed " + seed);
        long secs = (System.nanoTime() - t0) / 1_000_000_000L;
        System.out.printf("crash test: %d cycles in %d s, %d events acknowledged, %d events in the store, "
                + "%d keyed retries found their pre-crash event, %d stored it anew%n",
                cycles, secs, totalAcks, seenCount, retriesFound, retriesStored);
        assertTrue(totalAcks > 0, "no append was acknowledged in " + cycles + " cycles");
    }

    private long runCycle(int cycle, Random rnd, Path dir, String where) throws Exception {
        double kind = rnd.nextDouble();
        long reopenMillis = rnd.nextInt(4) == 0 ? 50 + rnd.nextInt(200) : 0;
        String plan;
        CycleOutput out = new CycleOutput();
        long childSeed = rnd.nextLong();
        long cycleStart = System.nanoTime();
        try (ChildJvm child = ChildJvm.start(CrashAppender.class, tmp.resolve("child-" + cycle + ".log"),
                dir.toString(), Integer.toString(APPENDERS), Integer.toString(ENTITIES), Long.toString(childSeed),
                Long.toString(SEGMENT_BYTES), Long.toString(reopenMillis))) {
            child.awaitLine(l -> l.startsWith("OPENING"), STARTUP_TIMEOUT, null);
            if (kind < 0.1) {
                long delay = rnd.nextInt(300);
                plan = "kill " + delay + " ms after OPENING";
                collect(child, Duration.ofMillis(delay), Integer.MAX_VALUE, out, where);
            } else {
                String ready = child.awaitLine(l -> l.startsWith("READY") || l.startsWith("OPENFAIL"), STARTUP_TIMEOUT,
                        null);
                if (ready.startsWith("OPENFAIL")) {
                    fail(where + ": the child could not open the store after the previous crash: " + ready + "\n"
                            + child.stderrTail());
                }
                long readyLast = Long.parseLong(ready.substring("READY ".length()).trim());
                assertEquals(lastAtClose, readyLast, where + ": the child recovered another last global sequence than "
                        + "the one the store was closed with");
                if (reopenMillis > 0) {
                    long delay = 500 + rnd.nextInt(2000);
                    plan = "kill " + delay + " ms after READY";
                    collect(child, Duration.ofMillis(delay), Integer.MAX_VALUE, out, where);
                } else if (kind < 0.6) {
                    long delay = 50 + rnd.nextInt(351);
                    plan = "kill " + delay + " ms after READY";
                    collect(child, Duration.ofMillis(delay), Integer.MAX_VALUE, out, where);
                } else {
                    int target = 300 + rnd.nextInt(2700);
                    plan = "kill after " + target + " acks (at most 8 s)";
                    collect(child, Duration.ofSeconds(8), target, out, where);
                }
            }
            if (reopenMillis > 0) {
                plan += ", reopen every <" + reopenMillis + " ms";
            }
            int exit = child.kill(Duration.ofSeconds(30));
            child.awaitStdoutEnd(Duration.ofSeconds(30));
            // Lines the child wrote before it died are still in the pipe: they were acknowledged too.
            drain(child, out, where);
            if (exit != 137) {
                fail(where + ": the child ended with exit code " + exit + " before it was killed\n" + child.stderrTail());
            }
            assertTrue(out.errors.isEmpty(), where + ": appends failed in the child: " + out.errors + "\n"
                    + child.stderrTail());
        }
        long killedAt = System.nanoTime();
        boolean dropCheckpoint = cycle % 4 == 3;
        if (dropCheckpoint) {
            Files.deleteIfExists(dir.resolve("index.ckpt"));
        }
        verify(dir, out, true, where + " (" + plan + (dropCheckpoint ? ", checkpoint removed" : "") + ")");
        long now = System.nanoTime();
        System.out.printf("crash cycle %3d: %-58s acks %5d, reopens %2d, store %7d events, child %5d ms, "
                + "verify %4d ms%n", cycle, plan, out.acks.size(), out.reopens, seenCount,
                (killedAt - cycleStart) / 1_000_000, (now - killedAt) / 1_000_000);
        return out.acks.size();
    }

    /** Reads lines until {@code duration} has passed or {@code maxAcks} acks were seen. */
    private static void collect(ChildJvm child, Duration duration, int maxAcks, CycleOutput out, String where)
            throws InterruptedException {
        long deadline = System.nanoTime() + duration.toNanos();
        while (out.acks.size() < maxAcks) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            String line = child.poll(Duration.ofNanos(left));
            if (line == null) {
                return;
            }
            if (line.equals(ChildJvm.EOF)) {
                fail(where + ": the child's output ended before it was killed\n" + child.stderrTail());
            }
            handle(line, out, child, where);
        }
    }

    private static void drain(ChildJvm child, CycleOutput out, String where) {
        for (String line = child.poll(); line != null && !line.equals(ChildJvm.EOF); line = child.poll()) {
            handle(line, out, child, where);
        }
    }

    private static void handle(String line, CycleOutput out, ChildJvm child, String where) {
        if (line.startsWith("ACK ")) {
            Ack a = Ack.parse(line);
            out.acks.add(a);
            out.maxAckedGlobal = Math.max(out.maxAckedGlobal, a.globalSeq());
            if (a.tag().startsWith("K:")) {
                out.keyedAcks.put(UUID.fromString(a.tag().substring(2)), a);
            }
        } else if (line.startsWith("SEND ")) {
            Send s = Send.parse(line);
            out.sends.put(s.key(), s);
        } else if (line.startsWith("REOPENED ")) {
            long last = Long.parseLong(line.substring("REOPENED ".length()).trim());
            assertTrue(last >= out.maxAckedGlobal, where + ": after close and reopen in the child the store ends at "
                    + last + " but global sequence " + out.maxAckedGlobal + " had been acknowledged");
            out.reopens++;
        } else if (line.startsWith("ERR ")) {
            out.errors.add(line);
        } else if (line.startsWith("OPENFAIL")) {
            fail(where + ": the child could not open the store: " + line + "\n" + child.stderrTail());
        }
    }

    private void verify(Path dir, CycleOutput out, boolean retry, String where) throws Exception {
        BatpakStore store;
        try {
            store = BatpakStore.open(config(dir));
        } catch (RuntimeException e) {
            throw new AssertionError(where + ": the store does not open after kill -9: " + e, e);
        }
        try {
            long last = store.lastGlobalSequence();
            long count = last + 1;
            assertTrue(count >= seenCount, where + ": the store has " + count + " events, fewer than the " + seenCount
                    + " seen after the previous cycle");
            checkAcks(store, carried, last, where + ", retried in the previous cycle");
            checkAcks(store, out.acks, last, where);
            checkWholeStore(store, count, where);
            carried = retry ? retryKeyed(store, out, where) : List.of();
            lastAtClose = store.lastGlobalSequence();
        } finally {
            try {
                store.closeAsync().toCompletableFuture().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError(where + ": close failed: " + e, e);
            }
        }
    }

    private static void checkAcks(BatpakStore store, List<Ack> acks, long last, String where) {
        for (int i = 0; i < acks.size(); i++) {
            Ack a = acks.get(i);
            String what = where + ": acknowledged event " + a.id() + " (" + a.entity() + " #" + a.entitySeq()
                    + ", global " + a.globalSeq() + ", " + a.tag() + ")";
            Optional<StoredEvent> got = store.get(a.id());
            assertTrue(got.isPresent(), what + " is lost after kill -9 (last global sequence " + last + ")");
            StoredEvent e = got.get();
            assertEquals(a.entity(), e.coordinate().entity(), what + ": entity");
            assertEquals(CrashAppender.SCOPE, e.coordinate().scope(), what + ": scope");
            assertEquals(a.entitySeq(), e.entitySequence(), what + ": entity sequence");
            assertEquals(a.globalSeq(), e.globalSequence(), what + ": global sequence");
            assertEquals(a.kind(), e.kind().raw(), what + ": kind");
            assertTrue(Arrays.equals(a.payload(), e.payload()), what + ": payload differs");
            if (a.tag().startsWith("B:")) {
                String[] pos = a.tag().substring(2).split("/");
                int index = Integer.parseInt(pos[0]);
                int size = Integer.parseInt(pos[1]);
                // Batch lines are written together, so item 0 of this batch is 'index' lines earlier.
                Ack first = acks.get(i - index);
                assertEquals("B:0/" + size, first.tag(), what + ": batch lines out of order");
                assertEquals(first.globalSeq() + index, a.globalSeq(), what + ": batch not contiguous");
            }
        }
    }

    /**
     * Reads every entity and checks sequences, chains, that the union of global sequences is 0..count-1 and that
     * no keyed append is stored twice.
     */
    private void checkWholeStore(BatpakStore store, long count, String where) {
        assertTrue(count < Integer.MAX_VALUE, "too many events for this check");
        BitSet globals = new BitSet((int) count);
        Set<UUID> keys = new HashSet<>();
        ensureSeenCapacity(count);
        for (int n = 0; n < ENTITIES; n++) {
            String entity = CrashAppender.ENTITY_PREFIX + n;
            long expectedSeq = 0;
            Hash prev = Hash.ZERO;
            long prevGlobal = -1;
            long prevTs = Long.MIN_VALUE;
            while (true) {
                List<StoredEvent> page = store.readEntity(entity, expectedSeq, 4096);
                if (page.isEmpty()) {
                    break;
                }
                for (StoredEvent e : page) {
                    String what = where + ": " + entity + " #" + expectedSeq + " (" + e + ")";
                    assertEquals(expectedSeq, e.entitySequence(), what + ": entity sequence gap");
                    assertEquals(Coordinate.of(entity, CrashAppender.SCOPE), e.coordinate(), what + ": coordinate");
                    assertEquals(prev, e.prevHash(), what + ": prevHash does not link to the previous event's hash");
                    assertTrue(e.globalSequence() > prevGlobal, what + ": global sequence not increasing in the entity");
                    assertTrue(e.timestampMicros() > prevTs, what + ": timestamp not increasing in the entity");
                    long g = e.globalSequence();
                    assertTrue(g >= 0 && g < count, what + ": global sequence beyond the last visible " + (count - 1));
                    assertTrue(!globals.get((int) g), what + ": global sequence " + g + " used twice");
                    globals.set((int) g);
                    UUID key = CrashAppender.keyOf(e.payload());
                    assertTrue(key == null || keys.add(key), what + ": the keyed append " + key + " is stored twice");
                    EventId id = e.eventId();
                    if (g < seenCount) {
                        assertTrue(seenMsb[(int) g] == id.msb() && seenLsb[(int) g] == id.lsb(), what
                                + ": global sequence " + g + " held a different event after an earlier cycle");
                    } else {
                        seenMsb[(int) g] = id.msb();
                        seenLsb[(int) g] = id.lsb();
                        Optional<StoredEvent> byId = store.get(id);
                        assertTrue(byId.isPresent() && byId.get().globalSequence() == g, what + ": get(id) disagrees");
                    }
                    prev = e.eventHash();
                    prevGlobal = g;
                    prevTs = e.timestampMicros();
                    expectedSeq++;
                }
            }
        }
        int firstGap = globals.nextClearBit(0);
        assertEquals(count, firstGap, where + ": global sequence " + firstGap + " is missing (last visible is "
                + (count - 1) + ")");
        assertEquals(count, globals.cardinality(), where + ": global sequences are not exactly 0.." + (count - 1));
        seenCount = count;
    }

    /**
     * Retries, with the same key, every keyed append whose acknowledgement the kill swallowed, and a few that
     * were acknowledged. Returns the receipts, to be checked after the next crash.
     */
    private List<Ack> retryKeyed(BatpakStore store, CycleOutput out, String where) throws Exception {
        long lastBefore = store.lastGlobalSequence();
        List<Ack> receipts = new ArrayList<>();
        int ackedRetries = 0;
        for (Send s : out.sends.values()) {
            Ack acked = out.keyedAcks.get(s.key());
            if (acked != null && ackedRetries++ >= 3) {
                continue;
            }
            String what = where + ": retry of keyed append " + s.key() + " on " + s.entity()
                    + (acked == null ? " (not acknowledged before the kill)" : " (acknowledged as " + acked.id() + ")");
            AppendReceipt r;
            try {
                r = store.append(Coordinate.of(s.entity(), CrashAppender.SCOPE), EventKind.fromRaw(s.kind()),
                        s.payload(), AppendOptions.builder().idempotencyKey(s.key()).build())
                        .toCompletableFuture().get(APPEND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError(what + " failed: " + e, e);
            }
            if (acked != null) {
                assertEquals(acked.id(), r.eventId(), what + ": a retry must return the original receipt");
                assertEquals(acked.globalSeq(), r.globalSequence(), what + ": global sequence of the original");
                assertEquals(acked.entitySeq(), r.entitySequence(), what + ": entity sequence of the original");
            } else if (r.globalSequence() <= lastBefore) {
                retriesFound++;
                StoredEvent original = store.get(r.eventId()).orElseThrow(() -> new AssertionError(what
                        + ": the receipt names an event get() does not find"));
                assertTrue(Arrays.equals(s.payload(), original.payload()), what + ": original has another payload");
            } else {
                retriesStored++;
            }
            receipts.add(new Ack(r.eventId(), s.entity(), r.entitySequence(), r.globalSequence(), s.kind(),
                    s.payload(), "K:" + s.key()));
        }
        return receipts;
    }

    private void ensureSeenCapacity(long count) {
        if (count > seenMsb.length) {
            int cap = seenMsb.length;
            while (cap < count) {
                cap *= 2;
            }
            seenMsb = Arrays.copyOf(seenMsb, cap);
            seenLsb = Arrays.copyOf(seenLsb, cap);
        }
    }
}
