package io.batpak.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.persistence.app.Counter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.NoOffset;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.persistence.query.TimestampOffset;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every query of the read journal, current and live. */
class ReadJournalTest {
    @TempDir
    Path dir;
    PluginSystem sys;
    BatpakReadJournal queries;

    @BeforeEach
    void start() {
        sys = PluginSystem.start(dir);
        queries = sys.readJournal();
    }

    @AfterEach
    void stop() {
        sys.close();
    }

    private static List<Long> seqNrs(List<EventEnvelope> envelopes) {
        return envelopes.stream().map(EventEnvelope::sequenceNr).toList();
    }

    private static List<String> applied(List<EventEnvelope> envelopes) {
        return envelopes.stream().map(e -> {
            Counter.Added a = (Counter.Added) e.event();
            return a.part() == 0 ? Integer.toString(a.value()) : a.value() + "." + a.part();
        }).toList();
    }

    @Test
    void currentEventsByPersistenceIdHonoursBothBoundsAndCompletes() {
        sys.addUpTo(sys.counter("a"), 6);              // 8 events: 1 2 3.1 3.2 4 5 6.1 6.2
        List<EventEnvelope> all = sys.run(queries.currentEventsByPersistenceId("Counter|a", 0, Long.MAX_VALUE));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L), seqNrs(all));
        assertEquals(Counter.expected(6), applied(all));
        assertEquals(List.of(3L, 4L, 5L), seqNrs(sys.run(queries.currentEventsByPersistenceId("Counter|a", 3, 5))));
        assertEquals(List.of(), sys.run(queries.currentEventsByPersistenceId("Counter|a", 9, 20)));
        assertEquals(List.of(), sys.run(queries.currentEventsByPersistenceId("Counter|nobody", 0, 20)));
        assertEquals(List.of(), sys.run(queries.eventsByPersistenceId("Counter|a", 5, 3)), "an empty range completes");
        EventEnvelope first = all.get(0);
        assertEquals("Counter|a", first.persistenceId());
        long global = ((Sequence) first.offset()).value();
        assertEquals(global, sys.persistence().store().readEntity(BatpakPersistence.entityOf("Counter|a"), 0, 1)
                .get(0).globalSequence(), "the offset is the event's batpak global sequence");
        assertTrue(first.timestamp() > 0);
    }

    @Test
    void liveEventsByPersistenceIdFollowsAppendsAndCompletesAtTheUpperBound() {
        ActorRef<Counter.Command> a = sys.counter("a");
        sys.add(a, 1);
        CompletionStage<List<EventEnvelope>> live = queries.eventsByPersistenceId("Counter|a", 1, 4)
                .runWith(Sink.seq(), sys.system);
        sys.add(sys.counter("other"), 1);
        sys.add(a, 2);
        sys.add(a, 3);                                  // events 3 and 4: the upper bound is reached
        assertEquals(List.of(1L, 2L, 3L, 4L), seqNrs(PluginSystem.await(live)));
    }

    @Test
    void eventsByTagIsGapFreeInGlobalOrderAndResumesAfterAnOffset() {
        ActorRef<Counter.Command> a = sys.counter("a");
        ActorRef<Counter.Command> b = sys.counter("b");
        sys.add(a, 1);
        sys.add(b, 1);
        sys.add(a, 2);
        List<EventEnvelope> current = sys.run(queries.currentEventsByTag(Counter.TAG, NoOffset.getInstance()));
        assertEquals(List.of("Counter|a", "Counter|b", "Counter|a"),
                current.stream().map(EventEnvelope::persistenceId).toList());
        List<Long> offsets = current.stream().map(e -> ((Sequence) e.offset()).value()).toList();
        assertEquals(offsets.stream().sorted().toList(), offsets);
        List<EventEnvelope> resumed = sys.run(queries.currentEventsByTag(Counter.TAG, current.get(0).offset()));
        assertEquals(current.subList(1, 3).stream().map(EventEnvelope::offset).toList(),
                resumed.stream().map(EventEnvelope::offset).toList(), "an offset is exclusive");
        assertEquals(List.of(), sys.run(queries.currentEventsByTag("no-such-tag", NoOffset.getInstance())));
    }

    @Test
    void liveEventsByTagMissesNoEventWhileAppendsRunConcurrently() throws Exception {
        int writers = 8;
        int perWriter = 40;
        List<ActorRef<Counter.Command>> counters = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            counters.add(sys.counter("w" + i));
        }
        int perCounter = perWriter + perWriter / 3;
        int expected = writers * perCounter;
        CompletionStage<List<EventEnvelope>> live = queries.eventsByTag(Counter.TAG, NoOffset.getInstance())
                .take(expected).runWith(Sink.seq(), sys.system);
        List<CompletableFuture<Void>> running = new ArrayList<>();
        for (ActorRef<Counter.Command> c : counters) {
            running.add(CompletableFuture.runAsync(() -> sys.addUpTo(c, perWriter)));
        }
        CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        List<EventEnvelope> got = PluginSystem.await(live);
        assertEquals(expected, got.size());
        List<Long> offsets = got.stream().map(e -> ((Sequence) e.offset()).value()).toList();
        for (int i = 1; i < offsets.size(); i++) {
            assertEquals(offsets.get(i - 1) + 1, offsets.get(i), "gap-free: every tagged event in commit order");
        }
        for (int i = 0; i < writers; i++) {
            String pid = "Counter|w" + i;
            assertEquals(Counter.expected(perWriter), applied(got.stream().filter(e -> e.persistenceId().equals(pid))
                    .toList()), "per persistence id in sequence-number order");
        }
    }

    @Test
    void persistenceIdsListsEachIdOnceCurrentLiveAndPaged() {
        List<String> ids = List.of("Counter|a", "Counter|b|with|bars", "Counter|c:colon", "Counter|d%25",
                "Counter|e..f", "no-type", "Ünïcode|ß/=");
        for (String id : ids) {
            sys.add(sys.counterWithPersistenceId(id), 1);
        }
        assertEquals(new HashSet<>(ids), new HashSet<>(sys.run(queries.currentPersistenceIds())));
        assertEquals(ids.size(), sys.run(queries.currentPersistenceIds()).size());

        List<String> paged = new ArrayList<>();
        Optional<String> after = Optional.empty();
        while (true) {
            List<String> page = sys.run(queries.currentPersistenceIds(after, 2));
            assertTrue(page.size() <= 2);
            if (page.isEmpty()) {
                break;
            }
            paged.addAll(page);
            after = Optional.of(page.get(page.size() - 1));
        }
        assertEquals(sys.run(queries.currentPersistenceIds()), paged);

        CompletionStage<List<String>> live = queries.persistenceIds().take(ids.size() + 1).runWith(Sink.seq(),
                sys.system);
        sys.add(sys.counterWithPersistenceId("Counter|a"), 2);   // not new: not listed again
        sys.add(sys.counter("new"), 1);
        List<String> all = PluginSystem.await(live);
        assertEquals("Counter|new", all.get(all.size() - 1));
        assertEquals(all.size(), new HashSet<>(all).size());
    }

    @Test
    void lastSequenceNumberTimestampAndLoadEnvelope() {
        sys.addUpTo(sys.counter("a"), 3);               // 4 events
        assertEquals(Optional.of(4L), PluginSystem.await(queries.currentLastSequenceNumberByPersistenceId("Counter|a")));
        assertEquals(Optional.empty(), PluginSystem.await(queries.currentLastSequenceNumberByPersistenceId("Counter|x")));

        Optional<Instant> ts = PluginSystem.await(queries.timestampOf("Counter|a", 2));
        assertTrue(ts.isPresent());
        assertFalse(ts.get().isAfter(Instant.now()));
        assertEquals(Optional.empty(), PluginSystem.await(queries.timestampOf("Counter|a", 5)));

        org.apache.pekko.persistence.query.typed.EventEnvelope<Counter.Added> env =
                PluginSystem.await(queries.<Counter.Added>loadEnvelope("Counter|a", 3));
        assertEquals(new Counter.Added(3, 1), env.event());
        assertEquals("Counter", env.entityType());
        assertEquals(queries.sliceForPersistenceId("Counter|a"), env.slice());
        assertEquals(ts.get().toEpochMilli(), PluginSystem.await(queries.<Counter.Added>loadEnvelope("Counter|a", 2))
                .timestamp());
        ExecutionException missing = assertThrows(ExecutionException.class, () ->
                queries.loadEnvelope("Counter|a", 9).toCompletableFuture().get(30, TimeUnit.SECONDS));
        assertTrue(missing.getCause() instanceof java.util.NoSuchElementException, missing.toString());
    }

    @Test
    void eventsBySlicesReturnsOnlyTheTypeAndSliceRangeCurrentAndLive() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            ids.add("k" + i);
            sys.add(sys.counter("k" + i), 1);
        }
        List<Pair<Integer, Integer>> ranges = queries.sliceRanges(4);
        assertEquals(4, ranges.size());
        assertEquals(0, ranges.get(0).first());
        assertEquals(1023, ranges.get(3).second());
        Set<String> seen = new HashSet<>();
        for (Pair<Integer, Integer> r : ranges) {
            List<org.apache.pekko.persistence.query.typed.EventEnvelope<Counter.Added>> got = sys.run(
                    queries.<Counter.Added>currentEventsBySlices("Counter", r.first(), r.second(), NoOffset.getInstance()));
            for (var e : got) {
                assertTrue(e.slice() >= r.first() && e.slice() <= r.second());
                assertEquals("Counter", e.entityType());
                assertTrue(seen.add(e.persistenceId()), "each id in one range only");
            }
        }
        assertEquals(ids.stream().map(i -> "Counter|" + i).collect(Collectors.toSet()), seen);
        assertEquals(List.of(), sys.run(queries.currentEventsBySlices("Other", 0, 1023, NoOffset.getInstance())));

        int slice = queries.sliceForPersistenceId("Counter|k0");
        CompletionStage<List<org.apache.pekko.persistence.query.typed.EventEnvelope<Object>>> live =
                queries.eventsBySlices("Counter", slice, slice, NoOffset.getInstance()).take(2)
                        .runWith(Sink.seq(), sys.system);
        sys.add(sys.counter("k0"), 2);
        var liveGot = PluginSystem.await(live);
        assertEquals(List.of(1L, 2L), liveGot.stream().map(e -> e.sequenceNr()).toList());
    }

    @Test
    void deletedEventsAreNotReturnedButTheHighestSequenceNumberStays() {
        ActorRef<Counter.Command> a = sys.counter("a");
        sys.addUpTo(a, 4);                               // 5 events
        PluginSystem.await(new DeleteProbe(sys).deleteTo("Counter|a", 3));
        assertEquals(List.of(4L, 5L), seqNrs(sys.run(queries.currentEventsByPersistenceId("Counter|a", 0, 100))));
        assertEquals(2, sys.run(queries.currentEventsByTag(Counter.TAG, NoOffset.getInstance())).size());
        assertEquals(Optional.of(5L), PluginSystem.await(queries.currentLastSequenceNumberByPersistenceId("Counter|a")));
        assertEquals(Optional.empty(), PluginSystem.await(queries.timestampOf("Counter|a", 2)));
    }

    @Test
    void unsupportedOffsetsAndBadArgumentsFailClearly() {
        Offset ts = TimestampOffset.apply(Instant.now(), scala.collection.immutable.Map$.MODULE$.empty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> queries.eventsByTag(Counter.TAG, ts));
        assertTrue(e.getMessage().contains("NoOffset or Sequence"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> queries.eventsByTag("", NoOffset.getInstance()));
        assertThrows(IllegalArgumentException.class, () -> queries.eventsByPersistenceId("", 0, 1));
        assertThrows(IllegalArgumentException.class, () -> queries.eventsBySlices("Counter", 5, 2,
                NoOffset.getInstance()));
        assertThrows(IllegalArgumentException.class, () -> queries.currentPersistenceIds(Optional.empty(), -1));
    }

    @Test
    void theScalaReadJournalAnswersLikeTheJavaOne() {
        sys.addUpTo(sys.counter("a"), 2);
        io.batpak.persistence.scaladsl.BatpakReadJournal sdsl = org.apache.pekko.persistence.query.PersistenceQuery
                .get(sys.system).<io.batpak.persistence.scaladsl.BatpakReadJournal>readJournalFor(
                        BatpakReadJournal.IDENTIFIER);
        List<EventEnvelope> got = sys.run(sdsl.currentEventsByTag(Counter.TAG, NoOffset.getInstance()).asJava());
        assertEquals(sys.run(queries.currentEventsByTag(Counter.TAG, NoOffset.getInstance())), got);
        assertEquals(scala.Option.apply(2L), PluginSystem.await(scala.jdk.javaapi.FutureConverters.asJava(
                sdsl.currentLastSequenceNumberByPersistenceId("Counter|a"))));
    }
}
