package io.batpak.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.batpak.persistence.app.Counter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.Done;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.javadsl.Handler;
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.apache.pekko.projection.testkit.javadsl.ProjectionTestKit;
import org.apache.pekko.projection.testkit.javadsl.TestProjection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pekko-projection's EventSourcedProvider over the batpak read journal, by tag and by slices. */
class ProjectionTest {
    @TempDir
    Path dir;
    PluginSystem sys;

    @BeforeEach
    void start() {
        sys = PluginSystem.start(dir);
    }

    @AfterEach
    void stop() {
        sys.close();
    }

    @Test
    void aProjectionOverEventsByTagSeesEveryEventInOrder() {
        for (int i = 0; i < 5; i++) {
            sys.addUpTo(sys.counter("p" + i), 6);
        }
        List<String> seen = new CopyOnWriteArrayList<>();
        SourceProvider<Offset, EventEnvelope<Counter.Added>> source = EventSourcedProvider.eventsByTag(sys.system,
                BatpakReadJournal.IDENTIFIER, Counter.TAG);
        TestProjection<Offset, EventEnvelope<Counter.Added>> projection = TestProjection.create(
                ProjectionId.of("by-tag", Counter.TAG), source, () -> new Handler<>() {
                    @Override
                    public CompletionStage<Done> process(EventEnvelope<Counter.Added> envelope) {
                        Counter.Added a = envelope.event();
                        seen.add(envelope.persistenceId() + "/" + a.value() + "." + a.part());
                        return CompletableFuture.completedFuture(Done.getInstance());
                    }
                });
        int expected = 5 * Counter.expected(6).size();
        ProjectionTestKit.create(sys.system).run(projection, Duration.ofSeconds(30),
                () -> assertEquals(expected, seen.size()));
        for (int i = 0; i < 5; i++) {
            String prefix = "Counter|p" + i + "/";
            assertEquals(List.of("1.0", "2.0", "3.1", "3.2", "4.0", "5.0", "6.1", "6.2"),
                    seen.stream().filter(s -> s.startsWith(prefix)).map(s -> s.substring(prefix.length())).toList());
        }
    }

    @Test
    void projectionsOverSliceRangesTogetherSeeEveryEventOnce() {
        for (int i = 0; i < 20; i++) {
            sys.addUpTo(sys.counter("s" + i), 2);
        }
        Map<String, Integer> counts = new ConcurrentHashMap<>();
        ProjectionTestKit kit = ProjectionTestKit.create(sys.system);
        for (var range : EventSourcedProvider.sliceRanges(sys.system, BatpakReadJournal.IDENTIFIER, 2)) {
            SourceProvider<Offset, org.apache.pekko.persistence.query.typed.EventEnvelope<Counter.Added>> source =
                    EventSourcedProvider.eventsBySlices(sys.system, BatpakReadJournal.IDENTIFIER, "Counter",
                            range.first(), range.second());
            TestProjection<Offset, org.apache.pekko.persistence.query.typed.EventEnvelope<Counter.Added>> projection =
                    TestProjection.create(ProjectionId.of("by-slices", range.first() + "-" + range.second()), source,
                            () -> new Handler<>() {
                                @Override
                                public CompletionStage<Done> process(
                                        org.apache.pekko.persistence.query.typed.EventEnvelope<Counter.Added> e) {
                                    counts.merge(e.persistenceId() + "/" + e.sequenceNr(), 1, Integer::sum);
                                    return CompletableFuture.completedFuture(Done.getInstance());
                                }
                            });
            long inRange = 2L * java.util.stream.IntStream.range(0, 20).map(i -> EventSourcedProvider
                    .sliceForPersistenceId(sys.system, BatpakReadJournal.IDENTIFIER, "Counter|s" + i))
                    .filter(slice -> slice >= range.first() && slice <= range.second()).count();
            kit.run(projection, Duration.ofSeconds(30), () -> assertEquals(inRange, counts.keySet().stream()
                    .filter(k -> {
                        int slice = EventSourcedProvider.sliceForPersistenceId(sys.system,
                                BatpakReadJournal.IDENTIFIER, k.substring(0, k.indexOf('/')));
                        return slice >= range.first() && slice <= range.second();
                    }).count()));
        }
        assertEquals(40, counts.size(), "20 counters x 2 events");
        counts.forEach((k, v) -> assertEquals(1, v, k + " delivered once"));
    }
}
