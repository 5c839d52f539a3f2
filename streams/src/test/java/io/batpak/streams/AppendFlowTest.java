package io.batpak.streams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.actors.BatpakStore;
import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.EventType;
import io.batpak.core.ExpectedSequence;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.SyncMode;
import io.batpak.core.error.SequenceMismatchException;
import io.batpak.core.error.StoreClosedException;
import io.batpak.core.error.StoreOverloadedException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.pekko.Done;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.Supervision;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.junit.jupiter.api.Test;

/** {@link BatpakStreams#appendFlow}, {@link BatpakStreams#appendOutcomeFlow} and {@link BatpakStreams#appendSink}. */
class AppendFlowTest extends StreamsTestBase {
    private static final List<String> ENTITIES = List.of("acct:0", "acct:1", "acct:2", "acct:3");

    @EventType(category = 0x3, type = 0x031, version = 2)
    public record OrderPlaced(String orderId, long cents) {
    }

    /** Request {@code i}: entity {@code i % 4}, payload "event-i". */
    private static AppendRequest indexed(int i) {
        return request(ENTITIES.get(i % ENTITIES.size()), KIND, i);
    }

    private static int indexOf(StoredEvent e) {
        String p = new String(e.payload(), StandardCharsets.UTF_8);
        assertTrue(p.startsWith("event-"), p);
        return Integer.parseInt(p.substring("event-".length()));
    }

    /** Every entity's stored events are exactly its requests, in input order. */
    private static void assertStoredInInputOrder(BatpakStore store, int count) {
        for (int e = 0; e < ENTITIES.size(); e++) {
            List<StoredEvent> events = store.readEntity(ENTITIES.get(e), 0, count + 1);
            int expectedCount = (count - e + ENTITIES.size() - 1) / ENTITIES.size();
            assertEquals(expectedCount, events.size(), ENTITIES.get(e));
            for (int k = 0; k < events.size(); k++) {
                assertEquals(k, events.get(k).entitySequence());
                assertEquals(e + k * ENTITIES.size(), indexOf(events.get(k)),
                        ENTITIES.get(e) + " event " + k + " is out of input order");
            }
        }
    }

    @Test
    void receiptsInInputOrderAndEachEntityStoredInInputOrder() {
        BatpakStore store = open();
        int count = 20_000;
        List<AppendReceipt> receipts = await(Source.range(0, count - 1)
                .map(AppendFlowTest::indexed)
                .via(BatpakStreams.appendFlow(store, 64))
                .runWith(Sink.seq(), system));
        assertEquals(count, receipts.size());
        for (int i = 0; i < count; i++) {
            AppendReceipt r = receipts.get(i);
            assertEquals(ENTITIES.get(i % 4), r.coordinate().entity(), "receipt " + i);
            assertEquals(i / 4, r.entitySequence(), "receipt " + i);
            StoredEvent stored = store.get(r.eventId()).orElseThrow();
            assertEquals(i, indexOf(stored), "receipt " + i + " belongs to another request");
            assertEquals(r.globalSequence(), stored.globalSequence());
        }
        assertEquals(count - 1, store.lastGlobalSequence());
        assertStoredInInputOrder(store, count);
    }

    @Test
    void appendsInFlightNeverExceedParallelism() throws Exception {
        BatpakStore store = open();
        int parallelism = 8;
        AtomicBoolean sampling = new AtomicBoolean(true);
        AtomicLong maxDepth = new AtomicLong();
        AtomicLong samples = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                long depth = store.stats().queueDepth();
                maxDepth.accumulateAndGet(depth, Math::max);
                samples.incrementAndGet();
                LockSupport.parkNanos(20_000);
            }
        }, "queue-depth-sampler");
        sampler.start();
        try {
            List<AppendReceipt> receipts = await(Source.range(0, 4999)
                    .map(AppendFlowTest::indexed)
                    .via(BatpakStreams.appendFlow(store, parallelism))
                    .runWith(Sink.seq(), system));
            assertEquals(5000, receipts.size());
        } finally {
            sampling.set(false);
            sampler.join();
        }
        assertTrue(samples.get() > 100, "the sampler took only " + samples.get() + " samples");
        assertTrue(maxDepth.get() <= parallelism, "appends in flight reached " + maxDepth.get());
        // The bound is reached in practice: the flow does keep several appends in flight.
        assertTrue(maxDepth.get() >= 2, "never more than " + maxDepth.get() + " append in flight");
        assertStoredInInputOrder(store, 5000);
    }

    @Test
    void slowDownstreamHoldsBackTheUpstream() throws Exception {
        BatpakStore store = open();
        int parallelism = 16;
        AtomicInteger pulled = new AtomicInteger();
        Pair<SinkQueueWithCancel<AppendReceipt>, CompletionStage<Done>> run = Source.range(0, 1_000_000)
                .map(i -> {
                    pulled.incrementAndGet();
                    return indexed(i);
                })
                .via(BatpakStreams.appendFlow(store, parallelism))
                .watchTermination(Keep.right())
                .toMat(Sink.queue(), (terminated, queue) -> Pair.create(queue, terminated))
                .withAttributes(Attributes.inputBuffer(1, 1))
                .run(system);
        SinkQueueWithCancel<AppendReceipt> queue = run.first();
        int taken = 0;
        for (; taken < 20; taken++) {
            Optional<AppendReceipt> r = await(queue.pull());
            assertEquals(taken, indexOf(store.get(r.orElseThrow().eventId()).orElseThrow()));
            Thread.sleep(10);
        }
        // Without demand the flow may run ahead by at most its buffers: parallelism in mapAsync, plus one element in
        // each of the few one-element stage buffers. The bound holds at every moment, so it is checked as the flow
        // settles and after it has settled, with no wait for a time window.
        int slack = parallelism + 8;
        eventually("no append in flight", () -> {
            assertTrue(pulled.get() - 20 <= slack, "the flow pulled " + (pulled.get() - 20) + " beyond 20 taken");
            return store.stats().queueDepth() == 0;
        });
        int ahead = pulled.get() - taken;
        long stored = store.lastGlobalSequence() + 1;
        assertTrue(ahead <= slack, "the flow pulled " + ahead + " elements beyond the " + taken + " taken");
        assertTrue(stored - taken <= slack, stored + " events stored for " + taken + " taken");
        // Pulling again resumes it where it stopped.
        for (; taken < 60; taken++) {
            assertEquals(taken, indexOf(store.get(await(queue.pull()).orElseThrow().eventId()).orElseThrow()));
        }
        queue.cancel();
        await(run.second());
    }

    @Test
    void overloadedStoreIsRetriedAndKeepsPerEntityOrder() {
        StoreConfig config = StoreConfig.builder(dir).syncMode(SyncMode.NONE).writerQueueBound(4).build();
        BatpakStore store = open(config);
        int count = 3000;
        // Without retries, 64 concurrent appends against a queue bound of 4 are refused: the overload is real.
        Throwable naive = failureOf(Source.range(0, count - 1)
                .map(i -> request("naive", KIND, i))
                .mapAsync(64, store::append)
                .runWith(Sink.ignore(), system));
        assertInstanceOf(StoreOverloadedException.class, naive);
        eventually("naive appends drained", () -> store.stats().queueDepth() == 0);

        List<AppendReceipt> receipts = await(Source.range(0, count - 1)
                .map(AppendFlowTest::indexed)
                .via(BatpakStreams.appendFlow(store, 64))
                .runWith(Sink.seq(), system));
        assertEquals(count, receipts.size());
        for (int i = 0; i < count; i++) {
            assertEquals(ENTITIES.get(i % 4), receipts.get(i).coordinate().entity());
            assertEquals(i / 4, receipts.get(i).entitySequence(), "receipt " + i);
        }
        assertStoredInInputOrder(store, count);

        // The outcome flow retries the same way: every outcome is Appended.
        List<AppendOutcome> outcomes = await(Source.range(0, 999)
                .map(i -> request("outcome", KIND, i))
                .via(BatpakStreams.appendOutcomeFlow(store, 64))
                .runWith(Sink.seq(), system));
        for (int i = 0; i < outcomes.size(); i++) {
            AppendOutcome.Appended a = assertInstanceOf(AppendOutcome.Appended.class, outcomes.get(i));
            assertEquals(i, a.receipt().entitySequence());
        }
        List<StoredEvent> stored = store.readEntity("outcome", 0, 2000);
        assertEquals(1000, stored.size());
        for (int i = 0; i < stored.size(); i++) {
            assertEquals(i, indexOf(stored.get(i)));
        }
    }

    private static AppendRequest expecting(String entity, int n, ExpectedSequence expected) {
        return AppendRequest.of(Coordinate.of(entity, "test"), KIND, ("event-" + n).getBytes(StandardCharsets.UTF_8),
                AppendOptions.builder().expect(expected).build());
    }

    @Test
    void wrongExpectedSequenceFailsTheFlowAndTheSinkWithTheTypedError() {
        BatpakStore store = open();
        await(store.append(request("cond", KIND, 0)));
        await(store.append(request("cond", KIND, 1)));
        // Right expectations pass, the wrong one (entity at 2 after the first request, not 5) fails the stream.
        List<AppendRequest> requests = List.of(
                expecting("cond", 2, ExpectedSequence.exact(1)),
                expecting("cond", 3, ExpectedSequence.exact(5)),
                expecting("cond", 4, ExpectedSequence.ANY));
        SequenceMismatchException flowError = assertFailsWith(SequenceMismatchException.class,
                Source.from(requests).via(BatpakStreams.appendFlow(store, 4)).runWith(Sink.seq(), system));
        assertEquals("cond", flowError.entity());
        assertEquals(ExpectedSequence.exact(5), flowError.expected());
        assertEquals(2, flowError.actual());
        // The stream fails as soon as the refusal arrives; the append before it is stored (soon, if not yet).
        eventually("the append before the failing one is stored", () -> store.readEntity("cond", 0, 10).size() >= 3);
        List<StoredEvent> stored = store.readEntity("cond", 0, 10);
        assertEquals(2, indexOf(stored.get(2)));
        for (StoredEvent e : stored) {
            assertTrue(indexOf(e) != 3, "the refused append was stored");
        }

        List<AppendRequest> sinkRequests = List.of(
                request("sink", KIND, 0),
                expecting("sink", 1, ExpectedSequence.NO_STREAM));
        SequenceMismatchException sinkError = assertFailsWith(SequenceMismatchException.class,
                Source.from(sinkRequests).runWith(BatpakStreams.appendSink(store), system));
        assertEquals("sink", sinkError.entity());
        assertEquals(ExpectedSequence.NO_STREAM, sinkError.expected());
        eventually("the first sink append is stored", () -> store.readEntity("sink", 0, 10).size() == 1);

        // A sink whose appends all succeed completes once they are durable.
        await(Source.range(0, 99).map(i -> request("sink", KIND, i))
                .runWith(BatpakStreams.appendSink(store, AppendSettings.defaults().withParallelism(8)), system));
        assertEquals(101, store.readEntity("sink", 0, 1000).size());
    }

    @Test
    void aResumingSupervisionStrategyDropsTheFailedAppendAndContinues() {
        BatpakStore store = open();
        List<AppendRequest> requests = List.of(
                expecting("sup", 0, ExpectedSequence.NO_STREAM),
                expecting("sup", 1, ExpectedSequence.NO_STREAM), // refused: the entity exists
                expecting("sup", 2, ExpectedSequence.ANY));
        List<AppendReceipt> receipts = await(Source.from(requests)
                .via(BatpakStreams.appendFlow(store, 1)
                        .withAttributes(ActorAttributes.withSupervisionStrategy(Supervision.getResumingDecider())))
                .runWith(Sink.seq(), system));
        assertEquals(List.of(0L, 1L), receipts.stream().map(AppendReceipt::entitySequence).toList());
        List<StoredEvent> stored = store.readEntity("sup", 0, 10);
        assertEquals(List.of(0, 2), stored.stream().map(AppendFlowTest::indexOf).toList());
    }

    @Test
    void outcomeFlowEmitsTheTypedFailureAndContinues() {
        BatpakStore store = open();
        List<AppendRequest> requests = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            requests.add(i == 3 ? expecting("out", i, ExpectedSequence.exact(7))
                    : i == 6 ? expecting("out", i, ExpectedSequence.exact(4)) // right: 0,1,2,4,5 stored before
                    : request("out", KIND, i));
        }
        List<AppendOutcome> outcomes = await(Source.from(requests)
                .via(BatpakStreams.appendOutcomeFlow(store, 8))
                .runWith(Sink.seq(), system));
        assertEquals(10, outcomes.size());
        for (int i = 0; i < 10; i++) {
            assertEquals(requests.get(i), outcomes.get(i).request(), "outcome " + i + " out of order");
            if (i == 3) {
                AppendOutcome.Failed f = assertInstanceOf(AppendOutcome.Failed.class, outcomes.get(i));
                SequenceMismatchException e = assertInstanceOf(SequenceMismatchException.class, f.error());
                assertEquals(ExpectedSequence.exact(7), e.expected());
                assertEquals(2, e.actual());
            } else {
                AppendOutcome.Appended a = assertInstanceOf(AppendOutcome.Appended.class, outcomes.get(i));
                assertEquals(i < 3 ? i : i - 1, a.receipt().entitySequence());
            }
        }
        List<StoredEvent> stored = store.readEntity("out", 0, 100);
        assertEquals(9, stored.size());
        int[] expectedOrder = {0, 1, 2, 4, 5, 6, 7, 8, 9};
        for (int k = 0; k < stored.size(); k++) {
            assertEquals(expectedOrder[k], indexOf(stored.get(k)));
        }
    }

    @Test
    void typedRequestsFlowThrough() {
        BatpakStore store = open();
        List<AppendRequest> requests = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            requests.add(i % 5 == 0 ? request("order:1", KIND, i)
                    : AppendRequest.typed(Coordinate.of("order:1", "test"), new OrderPlaced("o-" + i, i * 100L)));
        }
        List<AppendOutcome> outcomes = await(Source.from(requests)
                .via(BatpakStreams.appendOutcomeFlow(store, 16))
                .runWith(Sink.seq(), system));
        for (AppendOutcome o : outcomes) {
            assertInstanceOf(AppendOutcome.Appended.class, o, () -> "failed: " + o);
        }
        List<StoredEvent> stored = store.readEntity("order:1", 0, 100);
        assertEquals(50, stored.size());
        EventKind orderKind = EventKind.of(0x3, 0x031);
        for (int i = 0; i < 50; i++) {
            StoredEvent e = stored.get(i);
            if (i % 5 == 0) {
                assertEquals(KIND, e.kind());
                assertEquals(0, e.payloadVersion());
                assertArrayEquals(("event-" + i).getBytes(StandardCharsets.UTF_8), e.payload());
            } else {
                assertEquals(orderKind, e.kind());
                assertEquals(2, e.payloadVersion());
                assertEquals(new OrderPlaced("o-" + i, i * 100L), e.payloadAs(OrderPlaced.class));
            }
        }
        List<OrderPlaced> typed = store.readTyped("order:1", 0, 100, OrderPlaced.class);
        assertEquals(40, typed.size());
        assertEquals(new OrderPlaced("o-1", 100), typed.get(0));

        // The plain flow takes them too.
        List<AppendReceipt> receipts = await(Source.range(0, 9)
                .map(i -> AppendRequest.typed(Coordinate.of("order:2", "test"), new OrderPlaced("p-" + i, i)))
                .via(BatpakStreams.appendFlow(store, 4))
                .runWith(Sink.seq(), system));
        assertEquals(10, receipts.size());
        assertEquals(new OrderPlaced("p-9", 9), store.get(receipts.get(9).eventId()).orElseThrow()
                .payloadAs(OrderPlaced.class));
    }

    @Test
    void closedStoreFailsAppendsWithStoreClosedException() {
        BatpakStore store = open();
        // A stream running while the store closes fails at its first append after the close.
        Pair<SourceQueueWithComplete<AppendRequest>, CompletionStage<List<AppendReceipt>>> live =
                Source.<AppendRequest>queue(16, OverflowStrategy.backpressure())
                        .via(BatpakStreams.appendFlow(store, 4))
                        .toMat(Sink.seq(), Keep.both())
                        .run(system);
        for (int i = 0; i < 10; i++) {
            await(live.first().offer(request("live", KIND, i)));
        }
        eventually("ten events stored", () -> store.lastGlobalSequence() == 9);
        close(store);
        live.first().offer(request("live", KIND, 10));
        assertFailsWith(StoreClosedException.class, live.second());

        assertFailsWith(StoreClosedException.class, Source.single(request("x", KIND, 0))
                .via(BatpakStreams.appendFlow(store, 4)).runWith(Sink.seq(), system));
        assertFailsWith(StoreClosedException.class, Source.single(request("x", KIND, 0))
                .runWith(BatpakStreams.appendSink(store), system));
        List<AppendOutcome> outcomes = await(Source.range(0, 2).map(i -> request("x", KIND, i))
                .via(BatpakStreams.appendOutcomeFlow(store, 4)).runWith(Sink.seq(), system));
        assertEquals(3, outcomes.size());
        for (AppendOutcome o : outcomes) {
            AppendOutcome.Failed f = assertInstanceOf(AppendOutcome.Failed.class, o);
            assertInstanceOf(StoreClosedException.class, f.error());
        }
    }
}
