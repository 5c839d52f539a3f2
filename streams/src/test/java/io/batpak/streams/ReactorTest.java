package io.batpak.streams;

import static io.batpak.streams.ReactorFixtures.REACTION_KIND;
import static io.batpak.streams.ReactorFixtures.SOURCES;
import static io.batpak.streams.ReactorFixtures.all;
import static io.batpak.streams.ReactorFixtures.appendSources;
import static io.batpak.streams.ReactorFixtures.reactionPayload;
import static io.batpak.streams.ReactorFixtures.reactionsByCause;
import static io.batpak.streams.ReactorFixtures.sourceIndex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.batpak.actors.BatpakStore;
import io.batpak.actors.ChildJvm;
import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.Coordinate;
import io.batpak.core.EventId;
import io.batpak.core.EventType;
import io.batpak.core.IdempotencyKey;
import io.batpak.core.ReadOnlyStore;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.SyncMode;
import io.batpak.core.error.IdempotencyConflictException;
import io.batpak.core.internal.cursor.CheckpointStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link BatpakStreams#runReactor}: reactions, checkpoints, restarts, failures, stop and kill -9. */
class ReactorTest extends StreamsTestBase {

    @EventType(category = 0x3, type = 0x040)
    public record Noted(int source, int index) {
    }

    /** Commits every {@code maxBatch} events or 20 ms. */
    private static ReactorSettings settings(int maxBatch) {
        return ReactorSettings.create(system).withCommitter(CommitterSettings.create(system).withMaxBatch(maxBatch)
                .withMaxInterval(Duration.ofMillis(20)));
    }

    /** {@link #settings(int)} with a cursor that completes at the head: the reactor stops by itself when done. */
    private static ReactorSettings toHead(int maxBatch) {
        return settings(maxBatch).withCursor(CursorSettings.create(system).withCompleteAtHead(true));
    }

    private static long checkpointFile(Path storeDir, String reactorId) {
        return new CheckpointStore(storeDir).load(BatpakStreams.REACTOR_CHECKPOINT_PREFIX + reactorId,
                SOURCES.identity()).orElse(-1);
    }

    private static void rewind(Path storeDir, String reactorId, long position) {
        new CheckpointStore(storeDir).save(BatpakStreams.REACTOR_CHECKPOINT_PREFIX + reactorId, SOURCES.identity(),
                position);
    }

    private static List<StoredEvent> sources(BatpakStore store) {
        return all(store::query, SOURCES);
    }

    /** Every source event has exactly {@code perSource} reactions, correctly linked; no other reaction exists. */
    private static void assertExactlyReactions(BatpakStore store, int perSource, String version) {
        List<StoredEvent> sources = sources(store);
        Map<EventId, List<StoredEvent>> byCause = reactionsByCause(store::query);
        int total = 0;
        for (StoredEvent s : sources) {
            List<StoredEvent> rs = byCause.getOrDefault(s.eventId(), List.of());
            assertEquals(perSource, rs.size(), "reactions to source " + sourceIndex(s) + " at " + s.globalSequence());
            for (int i = 0; i < rs.size(); i++) {
                StoredEvent r = rs.get(i);
                assertEquals(s.correlationId(), r.correlationId(), "correlation of " + r);
                assertEquals("rx:" + s.coordinate().entity(), r.coordinate().entity());
                assertArrayEquals(reactionPayload(version, sourceIndex(s), i), r.payload(), "payload of " + r);
            }
            total += rs.size();
        }
        assertEquals(total, all(store::query, ReactorFixtures.REACTIONS).size(), "reactions without a source");
    }

    @Test
    void reactionsAreLinkedKeyedAndTheCheckpointAdvancesOverSkippedEvents() {
        BatpakStore store = open();
        appendSources(store, 0, 13);
        String id = "linker";
        // n % 3 reactions to source n: 0, 1 or 2; the second one typed. Source 12, the last, has none.
        Reactor reactor = e -> {
            int n = sourceIndex(e);
            Coordinate c = Coordinate.of("rx:" + e.coordinate().entity(), "reactions");
            List<Reaction> out = new ArrayList<>();
            for (int i = 0; i < n % 3; i++) {
                out.add(i == 0 ? Reaction.of(c, REACTION_KIND, reactionPayload("v1", n, i))
                        : Reaction.typed(c, new Noted(n, i)));
            }
            return out;
        };
        long last = store.lastGlobalSequence();
        ReactorControl control = BatpakStreams.runReactor(store, SOURCES, reactor, id, settings(1000));
        assertEquals(id, control.reactorId());
        assertEquals(BatpakStreams.REACTOR_CHECKPOINT_PREFIX + id, control.cursor().checkpointId().orElseThrow());
        eventually("the checkpoint reaches the last source event", () -> control.cursor().committed() == last);
        assertEquals(last, checkpointFile(dir, id), "the checkpoint file");
        await(control.stop());

        List<StoredEvent> sources = sources(store);
        assertEquals(13, sources.size());
        Map<EventId, List<StoredEvent>> byCause = reactionsByCause(store::query);
        long storeHead = store.lastGlobalSequence();
        int total = 0;
        for (StoredEvent s : sources) {
            int n = sourceIndex(s);
            List<StoredEvent> rs = byCause.getOrDefault(s.eventId(), List.of());
            assertEquals(n % 3, rs.size(), "reactions to source " + n);
            total += rs.size();
            for (int i = 0; i < rs.size(); i++) {
                StoredEvent r = rs.get(i);
                assertEquals(s.correlationId(), r.correlationId());
                assertEquals(s.eventId(), r.causationId().orElseThrow());
                if (i > 0) {
                    assertEquals(rs.get(i - 1).globalSequence() + 1, r.globalSequence(), "one atomic batch in order");
                }
                Reaction same = i == 0 ? Reaction.of(r.coordinate(), REACTION_KIND, reactionPayload("v1", n, i))
                        : Reaction.typed(r.coordinate(), new Noted(n, i));
                if (i == 1) {
                    assertEquals(new Noted(n, 1), r.payloadAs(Noted.class));
                    assertEquals(1, r.payloadVersion());
                }
                // The reaction was stored under ReactorKeys.of(reactorId, source id, index): appending the same
                // content with that key returns the stored event instead of a new one.
                IdempotencyKey key = ReactorKeys.of(id, s.eventId(), i);
                AppendReceipt again = await(store.append(same.toRequest(AppendOptions.builder().idempotencyKey(key)
                        .build())));
                assertEquals(r.eventId(), again.eventId(), "reaction " + i + " of source " + n + " has another key");
            }
        }
        assertEquals(12, total);
        assertEquals(storeHead, store.lastGlobalSequence(), "a keyed re-append stored a new event");
        // Every second source has a correlation id of its own, so correlation was really copied.
        assertTrue(sources.stream().anyMatch(s -> !s.correlationId().equals(s.eventId())));
    }

    @Test
    void reactorKeysFollowTheDocumentedDerivation() throws Exception {
        EventId source = new EventId(0x0123456789abcdefL, 0xfedcba9876543210L);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update("batpak.reaction.v1".getBytes(StandardCharsets.US_ASCII));
        sha.update((byte) 0);
        sha.update("billing".getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(ByteBuffer.allocate(20).putLong(source.msb()).putLong(source.lsb()).putInt(3).array());
        ByteBuffer digest = ByteBuffer.wrap(sha.digest());
        assertEquals(IdempotencyKey.of(digest.getLong(), digest.getLong()), ReactorKeys.of("billing", source, 3));
        assertTrue(!ReactorKeys.of("billing", source, 3).equals(ReactorKeys.of("billing", source, 2)));
        assertTrue(!ReactorKeys.of("billing", source, 3).equals(ReactorKeys.of("billinh", source, 3)));
    }

    @Test
    void restartFromAnEarlierCheckpointStoresNoDuplicateAndFollowsNewEvents() {
        BatpakStore store = open();
        appendSources(store, 0, 200);
        String id = "restart";
        long head = store.lastGlobalSequence();
        ReactorControl first = BatpakStreams.runReactor(store, SOURCES, ReactorFixtures.doubler(), id, settings(50));
        eventually("the first run committed every source", () -> first.cursor().committed() == head);
        await(first.stop());
        assertExactlyReactions(store, 2, "v1");
        long reactionsHead = store.lastGlobalSequence();

        // Rewind to source 49: the second run replays 150 already handled source events.
        long rewindTo = sources(store).get(49).globalSequence();
        rewind(dir, id, rewindTo);
        List<Long> seen = new CopyOnWriteArrayList<>();
        Reactor doubler = ReactorFixtures.doubler();
        Reactor recording = e -> {
            seen.add(e.globalSequence());
            return doubler.react(e);
        };
        ReactorControl second = BatpakStreams.runReactor(store, SOURCES, recording, id, settings(50));
        eventually("the replay reached the head again", () -> second.cursor().committed() == head);
        assertEquals(150, seen.size(), "the second run resumed after the rewound checkpoint");
        assertEquals(rewindTo + 1, seen.get(0));
        assertEquals(reactionsHead, store.lastGlobalSequence(), "the replay stored new events");
        assertExactlyReactions(store, 2, "v1");

        // Source events appended while it runs get their reactions.
        appendSources(store, 200, 50);
        long newHead = sources(store).get(249).globalSequence();
        eventually("the reactor committed the new sources", () -> second.cursor().committed() == newHead);
        await(second.stop());
        assertEquals(200, seen.size());
        assertEquals(250, sources(store).size());
        assertExactlyReactions(store, 2, "v1");
        assertEquals(newHead, checkpointFile(dir, id));
    }

    @Test
    void nonDeterministicReplayStopsWithIdempotencyConflictAndKeepsTheFirstVersion() {
        BatpakStore store = open();
        appendSources(store, 0, 20);
        String id = "fickle";
        await(BatpakStreams.runReactor(store, SOURCES, ReactorFixtures.versioned("v1", 2), id, toHead(1000)).done());
        assertEquals(sources(store).get(19).globalSequence(), checkpointFile(dir, id));
        assertExactlyReactions(store, 2, "v1");
        long head = store.lastGlobalSequence();

        rewind(dir, id, -1);
        ReactorControl replay = BatpakStreams.runReactor(store, SOURCES, ReactorFixtures.versioned("v2", 2), id,
                toHead(1000));
        ReactorException e = assertFailsWith(ReactorException.class, replay.done());
        assertEquals(id, e.reactorId());
        assertEquals(sources(store).get(0).globalSequence(), e.globalSequence());
        assertInstanceOf(IdempotencyConflictException.class, e.getCause());
        assertEquals(head, store.lastGlobalSequence(), "a second version was stored");
        assertExactlyReactions(store, 2, "v1");
        assertEquals(-1, checkpointFile(dir, id), "the checkpoint moved past the conflicting event");
    }

    @Test
    void throwingReactorFailsNamingItselfAndTheEventAndResumesThereOnceFixed() {
        BatpakStore store = open();
        appendSources(store, 0, 100);
        String id = "brittle";
        long failing = sources(store).get(60).globalSequence();
        AtomicBoolean broken = new AtomicBoolean(true);
        IllegalStateException boom = new IllegalStateException("boom");
        List<Long> seen = new CopyOnWriteArrayList<>();
        Reactor doubler = ReactorFixtures.doubler();
        Reactor reactor = e -> {
            seen.add(e.globalSequence());
            if (broken.get() && sourceIndex(e) == 60) {
                throw boom;
            }
            return doubler.react(e);
        };
        ReactorControl run = BatpakStreams.runReactor(store, SOURCES, reactor, id, toHead(10));
        ReactorException e = assertFailsWith(ReactorException.class, run.done());
        assertEquals(id, e.reactorId());
        assertEquals(failing, e.globalSequence());
        assertSame(boom, e.getCause());
        assertTrue(e.getMessage().contains("reactor " + id) && e.getMessage().contains(" " + failing),
                e.getMessage());
        assertEquals(failing, seen.get(seen.size() - 1), "it went on after the failing event");

        long checkpoint = checkpointFile(dir, id);
        assertEquals(checkpoint, run.cursor().committed());
        assertTrue(checkpoint < failing, "checkpoint " + checkpoint + " is past the failing event " + failing);
        // Commits of 10 events keep up with the reactor: a few batches were committed before it failed.
        assertTrue(checkpoint >= sources(store).get(9).globalSequence(), "checkpoint " + checkpoint);
        Map<EventId, List<StoredEvent>> byCause = reactionsByCause(store::query);
        for (StoredEvent s : sources(store)) {
            int expected = s.globalSequence() < failing ? 2 : 0;
            assertEquals(expected, byCause.getOrDefault(s.eventId(), List.of()).size(), "source " + sourceIndex(s));
        }

        broken.set(false);
        seen.clear();
        await(BatpakStreams.runReactor(store, SOURCES, reactor, id, toHead(10)).done());
        assertEquals(sources(store).stream().filter(s -> s.globalSequence() > checkpoint).count(), seen.size());
        assertEquals(checkpoint + 1, seen.get(0), "the second run did not resume after the checkpoint");
        assertExactlyReactions(store, 2, "v1");
        assertEquals(sources(store).get(99).globalSequence(), checkpointFile(dir, id));
    }

    @Test
    void stopCompletesNormallyAndCommitsTheLastProcessedEvent() throws Exception {
        BatpakStore store = open();
        appendSources(store, 0, 500);
        String id = "stopper";
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicLong lastSeen = new AtomicLong(-1);
        Reactor doubler = ReactorFixtures.doubler();
        Reactor reactor = e -> {
            lastSeen.set(e.globalSequence());
            if (sourceIndex(e) == 100) {
                reached.countDown();
                if (!release.await(30, TimeUnit.SECONDS)) {
                    throw new AssertionError("never released");
                }
            }
            return doubler.react(e);
        };
        // No commit by size or time before the stop: the stop itself must commit.
        ReactorSettings settings = ReactorSettings.create(system).withCommitter(CommitterSettings.create(system)
                .withMaxBatch(100_000).withMaxInterval(Duration.ofMinutes(5)));
        ReactorControl control = BatpakStreams.runReactor(store, SOURCES, reactor, id, settings);
        assertTrue(reached.await(30, TimeUnit.SECONDS));
        assertEquals(-1, control.cursor().committed());
        var stopped = control.stop();
        release.countDown();
        await(stopped);
        await(control.done());

        long last = lastSeen.get();
        long lastSource = sources(store).get(499).globalSequence();
        assertTrue(last >= sources(store).get(100).globalSequence() && last < lastSource, "last seen " + last);
        assertEquals(last, control.cursor().committed());
        assertEquals(last, checkpointFile(dir, id));
        Map<EventId, List<StoredEvent>> byCause = reactionsByCause(store::query);
        for (StoredEvent s : sources(store)) {
            assertEquals(s.globalSequence() <= last ? 2 : 0, byCause.getOrDefault(s.eventId(), List.of()).size(),
                    "source " + sourceIndex(s));
        }
        // A new run goes on from there.
        await(BatpakStreams.runReactor(store, SOURCES, ReactorFixtures.doubler(), id, toHead(1000)).done());
        assertExactlyReactions(store, 2, "v1");
    }

    @Test
    void stopAtAnyMomentCommitsExactlyWhatWasProcessed() throws Exception {
        BatpakStore store = open();
        appendSources(store, 0, 1200);
        List<StoredEvent> sources = sources(store);
        long lastSource = sources.get(sources.size() - 1).globalSequence();
        String id = "restless";
        Random rnd = new Random(42);
        long checkpoint = -1;
        int runs = 0;
        while (checkpoint < lastSource && runs < 200) {
            runs++;
            ReactorControl control = BatpakStreams.runReactor(store, SOURCES, ReactorFixtures.doubler(), id,
                    settings(1 + rnd.nextInt(100)));
            // Sometimes before the cursor has even loaded its checkpoint.
            int pause = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(30);
            if (pause > 0) {
                Thread.sleep(pause);
            }
            await(control.stop());
            long now = checkpointFile(dir, id);
            assertEquals(now, control.cursor().committed(), "run " + runs);
            assertTrue(now >= checkpoint, "run " + runs + ": the checkpoint went back from " + checkpoint + " to " + now);
            checkpoint = now;
            Map<EventId, List<StoredEvent>> byCause = reactionsByCause(store::query);
            for (StoredEvent s : sources) {
                assertEquals(s.globalSequence() <= checkpoint ? 2 : 0,
                        byCause.getOrDefault(s.eventId(), List.of()).size(),
                        "run " + runs + ", checkpoint " + checkpoint + ": source " + sourceIndex(s));
            }
        }
        assertEquals(lastSource, checkpoint, "not done after " + runs + " runs");
        assertTrue(runs >= 3, "only " + runs + " runs");
        assertExactlyReactions(store, 2, "v1");
    }

    @Test
    void aSecondReactorWithTheSameIdFailsAndStoppingItWhileItLoadsStillCompletes() throws Exception {
        BatpakStore store = open();
        appendSources(store, 0, 100);
        String id = "twin";
        long head = store.lastGlobalSequence();
        ReactorControl first = BatpakStreams.runReactor(store, SOURCES, ReactorFixtures.doubler(), id, settings(10));
        eventually("the first reactor committed everything", () -> first.cursor().committed() == head);
        AtomicLong reactedBySecond = new AtomicLong();
        Reactor counting = e -> {
            reactedBySecond.incrementAndGet();
            return List.of();
        };

        ReactorControl second = BatpakStreams.runReactor(store, SOURCES, counting, id, settings(10));
        assertFailsWith(io.batpak.core.error.CheckpointInUseException.class, second.done());

        // Stopped while its cursor is still loading the checkpoint it cannot claim: done() must still complete
        // (normally, since it was stopped, or with the claim's error), never hang.
        for (int i = 0; i < 20; i++) {
            ReactorControl stopped = BatpakStreams.runReactor(store, SOURCES, counting, id, settings(10));
            stopped.stop();
            try {
                stopped.done().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                assertInstanceOf(io.batpak.core.error.CheckpointInUseException.class, e.getCause());
            } catch (java.util.concurrent.TimeoutException e) {
                fail("attempt " + i + ": done() of a reactor stopped while loading its checkpoint never completed");
            }
        }
        assertEquals(0, reactedBySecond.get());
        await(first.stop());
        assertExactlyReactions(store, 2, "v1");
        assertEquals(head, checkpointFile(dir, id));
        // Once the first has stopped, the id is free again.
        await(BatpakStreams.runReactor(store, SOURCES, counting, id, toHead(10)).done());
    }

    /**
     * kill -9 of a child JVM running a reactor (every commit forced, checkpoints every 50 events or 20 ms), several
     * times at random moments; then the parent finishes the work. {@code -Dbatpak.reactor.crash.seed=S} replays a
     * kill schedule.
     */
    @Test
    void killedReactorProcessResumesWithoutLosingOrDuplicatingReactions() throws Exception {
        int sourceCount = 3000;
        int cycles = 4;
        String id = "crashy";
        Path storeDir = dir.resolve("store");
        BatpakStore store = open(StoreConfig.builder(storeDir).syncMode(SyncMode.NONE).build());
        appendSources(store, 0, sourceCount);
        List<StoredEvent> sources = sources(store);
        assertEquals(sourceCount, sources.size());
        close(store);

        long seed = Long.getLong("batpak.reactor.crash.seed", System.nanoTime());
        Random rnd = new Random(seed);
        System.out.printf("reactor kill test: seed %d (-Dbatpak.reactor.crash.seed=%d to replay)%n", seed, seed);
        int pendingAtKills = 0;
        for (int cycle = 0; cycle < cycles; cycle++) {
            String where = "cycle " + cycle + ", seed " + seed;
            long before = checkpointFile(storeDir, id);
            long target = Math.min(before + 60 + rnd.nextInt(300), sourceCount - 300);
            long cycleStart = System.nanoTime();
            long readyAt;
            int delayMillis = rnd.nextInt(25);
            long reported = -1;
            try (ChildJvm child = ChildJvm.start(ReactorCrashChild.class, dir.resolve("child-" + cycle + ".log"),
                    storeDir.toString(), id)) {
                String ready = child.nextLine(Duration.ofSeconds(60));
                assertTrue(ready.startsWith("READY "), where + ": " + ready + "\n" + child.stderrTail());
                readyAt = System.nanoTime();
                while (reported < target) {
                    reported = Math.max(reported, parseCommitted(child.nextLine(Duration.ofSeconds(60)), where, child));
                }
                Thread.sleep(delayMillis);
                child.kill(Duration.ofSeconds(30));
                for (String line = child.poll(Duration.ofSeconds(30)); !ChildJvm.EOF.equals(line);
                        line = child.poll(Duration.ofSeconds(30))) {
                    assertNotNull(line, where + ": the child's stdout did not end within 30 s of the kill");
                    reported = Math.max(reported, parseCommitted(line, where, child));
                }
            }
            try (ReadOnlyStore ro = ReadOnlyStore.open(StoreConfig.builder(storeDir).build())) {
                long checkpoint = checkpointFile(storeDir, id);
                assertTrue(checkpoint >= reported, where + ": checkpoint " + checkpoint
                        + " is behind the commit the child reported, " + reported);
                assertTrue(checkpoint > before, where + ": no progress from " + before);
                assertTrue(checkpoint < sources.get(sourceCount - 1).globalSequence(), where + ": the child finished");
                Map<EventId, List<StoredEvent>> byCause = reactionsByCause(ro::query);
                for (StoredEvent s : sources) {
                    int n = byCause.getOrDefault(s.eventId(), List.of()).size();
                    if (s.globalSequence() <= checkpoint) {
                        assertEquals(2, n, where + ": source " + sourceIndex(s) + " is checkpointed without its "
                                + "reactions (checkpoint " + checkpoint + ")");
                    } else {
                        assertTrue(n == 0 || n == 2, where + ": source " + sourceIndex(s) + " has " + n
                                + " reactions");
                        if (n == 2) {
                            pendingAtKills++;
                        }
                    }
                }
                assertTrue(ro.verify().ok(), where + ": " + ro.verify());
                System.out.printf("  %s: child ready after %d ms, killed %d ms after commit %d (%d ms after ready);"
                        + " checkpoint %d, %d reactions stored%n", where, (readyAt - cycleStart) / 1_000_000,
                        delayMillis, reported, (System.nanoTime() - readyAt) / 1_000_000, checkpoint,
                        all(ro::query, ReactorFixtures.REACTIONS).size());
            }
        }
        // The kills hit reactions stored after the last commit, which the next run replayed.
        assertTrue(pendingAtKills > 0, "no kill left reactions past the checkpoint: the replay went untested");

        long lastKillCheckpoint = checkpointFile(storeDir, id);
        BatpakStore reopened = open(StoreConfig.builder(storeDir).syncMode(SyncMode.NONE).build());
        AtomicLong reactedByParent = new AtomicLong();
        Reactor doubler = ReactorFixtures.doubler();
        await(BatpakStreams.runReactor(reopened, SOURCES, e -> {
            reactedByParent.incrementAndGet();
            return doubler.react(e);
        }, id, toHead(1000)).done());
        // The parent resumed right after the checkpoint of the last kill.
        assertEquals(sources.stream().filter(s -> s.globalSequence() > lastKillCheckpoint).count(),
                reactedByParent.get());
        assertExactlyReactions(reopened, 2, "v1");
        assertEquals(2 * sourceCount, all(reopened::query, ReactorFixtures.REACTIONS).size());
        assertEquals(sources.get(sourceCount - 1).globalSequence(), checkpointFile(storeDir, id));
        assertTrue(reopened.verify().ok(), reopened.verify().toString());
    }

    private static long parseCommitted(String line, String where, ChildJvm child) {
        if (line.startsWith("COMMITTED ")) {
            return Long.parseLong(line.substring("COMMITTED ".length()));
        }
        return fail(where + ": unexpected line from the child: " + line + "\n" + child.stderrTail());
    }
}
