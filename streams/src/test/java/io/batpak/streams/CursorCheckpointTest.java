package io.batpak.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.actors.BatpakStore;
import io.batpak.core.Region;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.CheckpointAheadOfStoreException;
import io.batpak.core.error.CheckpointInUseException;
import io.batpak.core.error.CheckpointRegionMismatchException;
import io.batpak.core.error.CorruptCheckpointException;
import io.batpak.core.error.InvalidCheckpointIdException;
import io.batpak.core.error.InvalidInputException;
import io.batpak.core.internal.cursor.CheckpointStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.AsPublisher;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/** Durable cursor checkpoints as seen through the stream API. */
class CursorCheckpointTest extends StreamsTestBase {
    private static final Region ORDERS = Region.entity("order");

    private BatpakStore storeWithOrders(int count) {
        BatpakStore store = open();
        appendMany(store, List.of("order:1", "order:2", "user:9"), KIND, count);
        return store;
    }

    private static List<Long> sequences(List<StoredEvent> events) {
        return events.stream().map(StoredEvent::globalSequence).toList();
    }

    private List<StoredEvent> replay(BatpakStore store, Region region, CursorSettings settings) {
        return await(BatpakStreams.cursor(store, region, settings.withCompleteAtHead(true)).runWith(Sink.seq(), system));
    }

    @Test
    void resumesExactlyAfterTheCommittedPosition() {
        BatpakStore store = storeWithOrders(300); // 200 orders
        CursorSettings settings = CursorSettings.checkpointId("orders-view");
        Pair<CursorControl, CompletionStage<List<StoredEvent>>> first = BatpakStreams.cursor(store, ORDERS, settings)
                .take(50)
                .toMat(Sink.seq(), Keep.both())
                .run(system);
        List<StoredEvent> firstEvents = await(first.second());
        long committedAt = firstEvents.get(39).globalSequence();
        await(first.first().commit(committedAt));
        await(first.first().whenStopped());
        assertEquals(committedAt, first.first().committed());
        assertEquals(OptionalLong.of(committedAt), new CheckpointStore(dir).load("orders-view", ORDERS.identity()));

        List<StoredEvent> resumed = replay(store, ORDERS, settings);
        assertEquals(160, resumed.size(), "200 orders minus the 40 committed");
        assertEquals(firstEvents.get(40).globalSequence(), resumed.get(0).globalSequence(),
                "uncommitted events are delivered again (at-least-once)");
    }

    @Test
    void aMaterialisedCursorReportsItsSavedCheckpointBeforeItsFirstRead() {
        BatpakStore store = storeWithOrders(30);
        CursorSettings settings = CursorSettings.checkpointId("early");
        Pair<CursorControl, CompletionStage<List<StoredEvent>>> first = BatpakStreams.cursor(store, ORDERS, settings)
                .take(5).toMat(Sink.seq(), Keep.both()).run(system);
        long committedAt = await(first.second()).get(4).globalSequence();
        await(first.first().commit(committedAt));
        await(first.first().whenStopped());

        // No demand at all (a subscriber that never requests): the cursor has not read, yet it reports where it
        // will resume.
        Pair<CursorControl, Publisher<StoredEvent>> idle = BatpakStreams.cursor(store, ORDERS, settings)
                .toMat(Sink.asPublisher(AsPublisher.WITHOUT_FANOUT), Keep.both()).run(system);
        CompletableFuture<Subscription> subscribed = new CompletableFuture<>();
        idle.second().subscribe(new Subscriber<StoredEvent>() {
            @Override public void onSubscribe(Subscription s) { subscribed.complete(s); }
            @Override public void onNext(StoredEvent event) { throw new AssertionError("nothing was requested"); }
            @Override public void onError(Throwable t) { }
            @Override public void onComplete() { }
        });
        Subscription subscription = await(subscribed);
        assertEquals(committedAt, idle.first().committed());
        assertEquals(committedAt, idle.first().position());
        subscription.cancel();
        await(idle.first().whenStopped());
    }

    @Test
    void theCheckpointSurvivesAReopenOfTheStore() {
        BatpakStore store = storeWithOrders(30);
        CursorSettings settings = CursorSettings.checkpointId("survivor");
        Pair<CursorControl, CompletionStage<List<StoredEvent>>> run = BatpakStreams.cursor(store, ORDERS, settings)
                .take(5).toMat(Sink.seq(), Keep.both()).run(system);
        long last = await(run.second()).get(4).globalSequence();
        await(run.first().commit(last));
        await(run.first().whenStopped());
        close(store);
        BatpakStore reopened = open();
        List<StoredEvent> rest = replay(reopened, ORDERS, settings);
        assertEquals(15, rest.size());
        assertTrue(rest.get(0).globalSequence() > last);
    }

    @Test
    void aCheckpointOfAnotherRegionIsRefused() {
        BatpakStore store = storeWithOrders(30);
        new CheckpointStore(dir).save("shared", Region.entity("user").identity(), 3);
        CheckpointRegionMismatchException e = assertFailsWith(CheckpointRegionMismatchException.class,
                BatpakStreams.cursor(store, ORDERS, CursorSettings.checkpointId("shared")).runWith(Sink.seq(), system));
        assertEquals(Region.entity("user").identity(), e.storedIdentity());
        assertEquals(ORDERS.identity(), e.expectedIdentity());
        assertEquals(OptionalLong.of(3), new CheckpointStore(dir).load("shared", Region.entity("user").identity()),
                "the other region's checkpoint is untouched");
    }

    @Test
    void aCorruptCheckpointFailsClosedInsteadOfRestartingFromZero() throws Exception {
        BatpakStore store = storeWithOrders(30);
        CheckpointStore files = new CheckpointStore(dir);
        files.save("damaged", ORDERS.identity(), 7);
        Path file = files.path("damaged");
        byte[] bytes = Files.readAllBytes(file);
        bytes[9] ^= 0x01; // inside the position field
        Files.write(file, bytes);
        assertFailsWith(CorruptCheckpointException.class,
                BatpakStreams.cursor(store, ORDERS, CursorSettings.checkpointId("damaged")).runWith(Sink.seq(), system));
        Files.write(file, new byte[0]);
        assertFailsWith(CorruptCheckpointException.class,
                BatpakStreams.cursor(store, ORDERS, CursorSettings.checkpointId("damaged")).runWith(Sink.seq(), system));
    }

    @Test
    void aCheckpointBeyondTheStoresLastEventIsRefused() {
        BatpakStore store = storeWithOrders(30);
        new CheckpointStore(dir).save("ahead", ORDERS.identity(), 1000);
        CheckpointAheadOfStoreException e = assertFailsWith(CheckpointAheadOfStoreException.class,
                BatpakStreams.cursor(store, ORDERS, CursorSettings.checkpointId("ahead")).runWith(Sink.seq(), system));
        assertEquals(1000, e.position());
        assertEquals(29, e.lastSequence());
    }

    @Test
    void twoRunningCursorsCannotShareACheckpoint() {
        BatpakStore store = storeWithOrders(30);
        CursorSettings settings = CursorSettings.checkpointId("owned");
        Pair<CursorControl, SinkQueueWithCancel<StoredEvent>> owner = BatpakStreams.cursor(store, ORDERS, settings)
                .toMat(Sink.queue(1), Keep.both()).run(system);
        await(owner.second().pull()); // the owner has started and claimed it
        assertFailsWith(CheckpointInUseException.class,
                BatpakStreams.cursor(store, ORDERS, settings).runWith(Sink.seq(), system));
        owner.second().cancel();
        await(owner.first().whenStopped());
        assertEquals(20, replay(store, ORDERS, settings).size(), "free again once the owner stopped");
    }

    @Test
    void commitsAreCheckedAndMonotonic() {
        BatpakStore store = storeWithOrders(30);
        Pair<CursorControl, SinkQueueWithCancel<StoredEvent>> run = BatpakStreams
                .cursor(store, ORDERS, CursorSettings.checkpointId("strict")).toMat(Sink.queue(1), Keep.both())
                .run(system);
        StoredEvent first = await(run.second().pull()).orElseThrow();
        StoredEvent second = await(run.second().pull()).orElseThrow();
        CursorControl control = run.first();
        assertFailsWith(InvalidInputException.class, control.commit(second.globalSequence() + 100));
        await(control.commit(second.globalSequence()));
        await(control.commit(first.globalSequence())); // older: ignored
        assertEquals(second.globalSequence(), control.committed());
        assertEquals(OptionalLong.of(second.globalSequence()), new CheckpointStore(dir).load("strict", ORDERS.identity()));
        run.second().cancel();

        Pair<CursorControl, CompletionStage<List<StoredEvent>>> plain = BatpakStreams.cursor(store, ORDERS)
                .take(1).toMat(Sink.seq(), Keep.both()).run(system);
        await(plain.second());
        assertFailsWith(IllegalStateException.class, plain.first().commit(0));
    }

    @Test
    void theCommitterWritesBatchesAndTheLastPartialBatchOnCompletion() {
        BatpakStore store = storeWithOrders(300);
        CursorSettings settings = CursorSettings.checkpointId("batched").withCompleteAtHead(true);
        Pair<CursorControl, CompletionStage<List<Done>>> run = BatpakStreams.committableCursor(store, ORDERS, settings)
                .map(CommittableEvent::offset)
                .via(Committer.flow(CommitterSettings.defaults().withMaxBatch(64)
                        .withMaxInterval(java.time.Duration.ofMinutes(1))))
                .toMat(Sink.seq(), Keep.both())
                .run(system);
        List<Done> batches = await(run.second());
        assertEquals(4, batches.size(), "200 offsets in batches of 64: 64+64+64+8");
        List<StoredEvent> all = replay(store, ORDERS, CursorSettings.defaults());
        assertEquals(all.get(all.size() - 1).globalSequence(), run.first().committed());
        assertTrue(replay(store, ORDERS, CursorSettings.checkpointId("batched")).isEmpty(), "nothing left");
    }

    @Test
    void startPositionsAndInvalidIds() {
        BatpakStore store = storeWithOrders(30);
        List<StoredEvent> all = replay(store, ORDERS, CursorSettings.defaults());
        long fifth = all.get(4).globalSequence();
        assertEquals(sequences(all.subList(5, 20)), sequences(replay(store, ORDERS, CursorSettings.defaults()
                .afterSequence(fifth))));
        // No checkpoint yet: a checkpointed cursor starts at its start position.
        assertEquals(sequences(all.subList(5, 20)), sequences(replay(store, ORDERS, CursorSettings
                .checkpointId("fresh").afterSequence(fifth))));
        assertThrows(InvalidCheckpointIdException.class, () -> CursorSettings.checkpointId("../escape"));
        assertThrows(InvalidInputException.class, () -> CursorSettings.defaults().afterSequence(-2));
        assertThrows(InvalidInputException.class,
                () -> BatpakStreams.committableCursor(store, ORDERS, CursorSettings.defaults()));
    }

    @Test
    void aCursorCompletesWhenTheStoreCloses() {
        BatpakStore store = storeWithOrders(30);
        Pair<CursorControl, CompletionStage<List<StoredEvent>>> run = BatpakStreams.cursor(store, ORDERS)
                .toMat(Sink.seq(), Keep.both()).run(system);
        eventually("caught up with the last order (global sequence 28)", () -> run.first().position() == 28);
        assertTrue(!run.second().toCompletableFuture().isDone(), "a live cursor waits for more");
        close(store);
        assertEquals(20, await(run.second()).size());
    }
}
