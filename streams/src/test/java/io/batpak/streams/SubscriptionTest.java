package io.batpak.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.actors.BatpakStore;
import io.batpak.core.AppendReceipt;
import io.batpak.core.IoFaultHook;
import io.batpak.core.Region;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.SyncMode;
import io.batpak.core.error.StoreFailedException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscriber;

class SubscriptionTest extends StreamsTestBase {

    /** A downstream that never requests: the subscription's buffer fills and stays full. */
    static class StalledSubscriber implements Subscriber<StoredEvent> {
        final CompletableFuture<Done> terminated = new CompletableFuture<>();

        @Override
        public void onSubscribe(org.reactivestreams.Subscription s) {
            // never requests
        }

        @Override
        public void onNext(StoredEvent e) {
            terminated.completeExceptionally(new AssertionError("received an element it never asked for"));
        }

        @Override
        public void onError(Throwable t) {
            terminated.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            terminated.complete(Done.getInstance());
        }
    }

    @Test
    void deliversOnlyMatchingEventsThatBecomeVisibleAfterSubscribing() {
        BatpakStore store = open();
        appendMany(store, List.of("order:1"), KIND, 100); // before the subscription: not delivered
        Region region = Region.entity("order").withKind(KIND);
        // The buffer holds exactly the 1500 matching events appended below, so a consumer that has not started
        // yet still drops nothing; any unrelated event let into the buffer could make it overflow.
        Pair<Subscription, CompletionStage<List<StoredEvent>>> run = BatpakStreams.subscribe(store, region,
                        SubscriptionSettings.create(system).withBufferSize(1500))
                .take(1000)
                .toMat(Sink.seq(), Keep.both())
                .run(system);
        appendMany(store, List.of("order:1", "user:1", "order:2", "order-x"), KIND, 2000); // 1000 match
        appendMany(store, List.of("order:1"), OTHER_KIND, 500);
        appendMany(store, List.of("order:3"), KIND, 500);
        List<StoredEvent> seen = await(run.second());
        assertEquals(1000, seen.size());
        long prev = 99;
        for (StoredEvent e : seen) {
            assertTrue(region.matches(e), e.toString());
            assertTrue(e.globalSequence() > prev, "global order");
            prev = e.globalSequence();
        }
        // Unrelated events never entered the buffer: everything delivered matched.
        eventually("the subscription is removed after take()", () -> !run.first().active());
        assertTrue(run.first().delivered() >= 1000 && run.first().delivered() <= 1500, "" + run.first());
        assertEquals(0, run.first().dropped());
    }

    @Test
    void aStalledSubscriberDropsTheNewestAndNeverDelaysAppends() {
        BatpakStore store = open();
        StalledSubscriber stalled = new StalledSubscriber();
        Subscription sub = BatpakStreams.subscribe(store, Region.all(),
                        SubscriptionSettings.defaults().withBufferSize(16).withOverflowPolicy(OverflowPolicy.DROP_NEWEST))
                .to(Sink.fromSubscriber(stalled))
                .run(system);
        List<CompletionStage<AppendReceipt>> appends = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            appends.add(store.append(request("e" + (i % 7), KIND, i)));
        }
        for (CompletionStage<AppendReceipt> a : appends) {
            await(a);
        }
        eventually("every event was offered", () -> sub.delivered() + sub.dropped() == 5000);
        assertEquals(16, sub.delivered(), "the buffer holds exactly its size");
        assertEquals(5000 - 16, sub.dropped());
        assertTrue(sub.active(), "drop-newest keeps the subscription");
        sub.cancel();
        assertFalse(sub.active());
    }

    @Test
    void failPolicyFailsTheStreamWithTheFirstEventThatDidNotFit() {
        BatpakStore store = open();
        StalledSubscriber stalled = new StalledSubscriber();
        Subscription sub = BatpakStreams.subscribe(store, Region.entity("hot"),
                        SubscriptionSettings.defaults().withBufferSize(8).withOverflowPolicy(OverflowPolicy.FAIL))
                .to(Sink.fromSubscriber(stalled))
                .run(system);
        List<AppendReceipt> hot = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            await(store.append(request("cold", KIND, i))); // never counted against the buffer
            hot.add(await(store.append(request("hot", KIND, i))));
        }
        SubscriptionOverflowException e = assertFailsWith(SubscriptionOverflowException.class, stalled.terminated);
        assertEquals(hot.get(8).globalSequence(), e.globalSequence(), "the ninth hot event did not fit");
        assertEquals(8, e.bufferSize());
        assertEquals(Region.entity("hot"), e.region());
        assertEquals(1, sub.dropped());
        assertFalse(sub.active());
        assertEquals(400, store.lastGlobalSequence() + 1, "every append completed");

        // The cheap fallback: a cursor from just before the first event that did not fit misses nothing.
        List<StoredEvent> missed = await(BatpakStreams.cursor(store, Region.entity("hot"),
                        CursorSettings.defaults().afterSequence(e.globalSequence() - 1).withCompleteAtHead(true))
                .runWith(Sink.seq(), system));
        assertEquals(hot.subList(8, 200).stream().map(AppendReceipt::globalSequence).toList(),
                missed.stream().map(StoredEvent::globalSequence).toList());
    }

    @Test
    void completesAfterTheLastCommittedEventWhenTheStoreCloses() {
        BatpakStore store = open();
        Pair<Subscription, CompletionStage<List<StoredEvent>>> run = BatpakStreams.subscribe(store, Region.all())
                .toMat(Sink.seq(), Keep.both())
                .run(system);
        List<CompletionStage<AppendReceipt>> appends = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            appends.add(store.append(request("e", KIND, i)));
        }
        close(store); // appends in flight are drained first
        long acknowledged = appends.stream().filter(a -> !a.toCompletableFuture().isCompletedExceptionally()).count();
        List<StoredEvent> seen = await(run.second());
        assertEquals(acknowledged, seen.size(), "every event committed before the close was delivered");
        assertEquals(300, acknowledged);
    }

    @Test
    void subscribingToAClosedStoreCompletesAtOnce() {
        BatpakStore store = open();
        close(store);
        List<StoredEvent> seen = await(BatpakStreams.subscribe(store, Region.all()).runWith(Sink.seq(), system));
        assertTrue(seen.isEmpty());
    }

    @Test
    void cancelCompletesTheStreamAfterItsBufferedEvents() {
        BatpakStore store = open();
        Pair<Subscription, CompletionStage<List<StoredEvent>>> run = BatpakStreams.subscribe(store, Region.all())
                .toMat(Sink.seq(), Keep.both())
                .run(system);
        appendMany(store, List.of("a"), KIND, 50);
        eventually("50 delivered", () -> run.first().delivered() == 50);
        run.first().cancel();
        assertEquals(50, await(run.second()).size());
        appendMany(store, List.of("a"), KIND, 10);
        assertEquals(50, run.first().delivered(), "nothing delivered after cancel");
    }

    @Test
    void failsWithTheTypedErrorWhenTheStoreFails() {
        AtomicBoolean broken = new AtomicBoolean();
        IoFaultHook hook = new IoFaultHook() {
            @Override
            public void beforeForce(String segmentFile) throws IOException {
                if (broken.get()) {
                    throw new IOException("disk gone");
                }
            }

            @Override
            public void beforeTruncate(String segmentFile, long length) throws IOException {
                if (broken.get()) {
                    throw new IOException("disk gone");
                }
            }
        };
        BatpakStore store = open(StoreConfig.builder(dir).syncMode(SyncMode.EVERY_COMMIT).ioFaultHook(hook).build());
        CompletionStage<List<StoredEvent>> seen = BatpakStreams.subscribe(store, Region.all())
                .runWith(Sink.seq(), system);
        appendMany(store, List.of("a"), KIND, 10);
        broken.set(true);
        failureOf(store.append(request("a", KIND, 11)));
        assertFailsWith(StoreFailedException.class, seen);
        closeExpectingTrouble(store);
    }

    @Test
    void aSequenceRangeIsFilteredAtThePushSideToo() {
        BatpakStore store = open();
        Region region = Region.entity("a").withSequenceRange(2, 4);
        Pair<Subscription, CompletionStage<List<StoredEvent>>> run = BatpakStreams.subscribe(store, region)
                .take(3)
                .toMat(Sink.seq(), Keep.both())
                .run(system);
        appendMany(store, List.of("a", "b"), KIND, 20); // "a" gets entity sequences 0..9
        List<StoredEvent> seen = await(run.second());
        assertEquals(List.of(2L, 3L, 4L), seen.stream().map(StoredEvent::entitySequence).toList());
        assertEquals(3, run.first().delivered());
    }

    /** A downstream that asks for one element at a time, each request made from the test's thread. */
    static final class OneAtATime extends StalledSubscriber {
        final java.util.concurrent.LinkedBlockingQueue<StoredEvent> received = new java.util.concurrent.LinkedBlockingQueue<>();
        volatile org.reactivestreams.Subscription subscription;

        @Override
        public void onSubscribe(org.reactivestreams.Subscription s) {
            subscription = s;
        }

        @Override
        public void onNext(StoredEvent e) {
            received.add(e);
        }
    }

    @Test
    void aConsumerPullingOneAtATimeWhileBatchesArriveGetsEveryEventOnceInOrder() throws Exception {
        BatpakStore store = open();
        OneAtATime consumer = new OneAtATime();
        Subscription sub = BatpakStreams.subscribe(store, Region.all()).to(Sink.fromSubscriber(consumer)).run(system);
        eventually("subscribed", () -> consumer.subscription != null);
        int total = 600;
        // Appends race the requests: the stage sometimes waits for a batch, sometimes holds several.
        CompletableFuture<Void> appending = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < total / 20; i++) {
                appendMany(store, List.of("a", "b"), KIND, 20);
            }
        });
        List<Long> seen = new ArrayList<>();
        while (seen.size() < total) {
            consumer.subscription.request(1);
            StoredEvent e = consumer.received.poll(30, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(e != null, "event " + seen.size() + " arrived");
            seen.add(e.globalSequence());
        }
        await(appending);
        List<Long> expected = new ArrayList<>();
        for (long g = 0; g < total; g++) {
            expected.add(g);
        }
        assertEquals(expected, seen);
        assertEquals(total, sub.delivered());
        close(store);
        consumer.subscription.request(1);
        await(consumer.terminated);
        assertTrue(consumer.received.isEmpty(), "nothing after the last event");
    }
}
