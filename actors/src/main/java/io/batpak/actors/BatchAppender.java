package io.batpak.actors;

import io.batpak.core.AppendReceipt;
import io.batpak.core.IdempotencyKey;
import io.batpak.core.error.IdempotencyConflictException;
import io.batpak.core.internal.journal.PendingEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Coordinates one atomic batch across entity partitions: prepares the partitions one after another in ascending
 * order (each holds its entities), then either hands all events to the writer as one group and releases the
 * partitions, or aborts every prepared partition. The writer's Write is sent before the releases, so appends that
 * chain onto the batch's events reach the writer after it.
 *
 * <p>Idempotency across a batch: if every item carries a key that is already committed with the same content,
 * the original receipts are returned; if only some items hit, the batch fails with
 * {@link IdempotencyConflictException} (a batch is replayed whole or not at all).
 */
final class BatchAppender {
    private final StoreRuntime rt;
    private final long batchId;
    private final List<EntityPartition.BatchItem> items;
    private final Map<Integer, List<EntityPartition.BatchItem>> byPartition = new TreeMap<>();
    private final List<ActorRef<EntityPartition.Command>> preparedPartitions = new ArrayList<>();
    private final PendingEvent[] events;
    private final long[] hits;
    private long epoch = Long.MAX_VALUE;
    private boolean anyHit;
    private final CompletableFuture<List<AppendReceipt>> result = new CompletableFuture<>();

    BatchAppender(StoreRuntime rt, List<EntityPartition.BatchItem> items) {
        this.rt = rt;
        this.batchId = rt.nextBatchId();
        this.items = items;
        this.events = new PendingEvent[items.size()];
        this.hits = new long[items.size()];
        Arrays.fill(hits, -1);
        for (EntityPartition.BatchItem it : items) {
            byPartition.computeIfAbsent(rt.partitionIndex(it.coordinate().entity()), k -> new ArrayList<>()).add(it);
        }
    }

    CompletableFuture<List<AppendReceipt>> run() {
        prepareNext(new ArrayList<>(byPartition.keySet()), 0);
        return result;
    }

    private void prepareNext(List<Integer> order, int at) {
        if (at == order.size()) {
            decide();
            return;
        }
        int p = order.get(at);
        ActorRef<EntityPartition.Command> partition = rt.partitions.get(p);
        List<EntityPartition.BatchItem> mine = byPartition.get(p);
        CompletableFuture<EntityPartition.Prepared> prepared = new CompletableFuture<>();
        partition.tell(new EntityPartition.PrepareBatch(batchId, mine, prepared));
        prepared.whenComplete((ok, error) -> {
            if (error != null) {
                abort(unwrap(error));
                return;
            }
            if (ok.events() != null) {
                preparedPartitions.add(partition);
                for (int i = 0; i < mine.size(); i++) {
                    events[mine.get(i).index()] = ok.events()[i];
                }
            } else {
                for (int i = 0; i < mine.size(); i++) {
                    hits[mine.get(i).index()] = ok.hits()[i];
                }
                anyHit = true;
            }
            epoch = Math.min(epoch, ok.epoch());
            prepareNext(order, at + 1);
        });
    }

    private void decide() {
        if (!anyHit) {
            rt.writer.tell(new WriterActor.Write(epoch, events, new GroupReply() {
                @Override
                public void committed(PendingEvent[] committed) {
                    List<AppendReceipt> receipts = new ArrayList<>(committed.length);
                    for (PendingEvent e : committed) {
                        receipts.add(e.receipt());
                    }
                    result.complete(receipts);
                }

                @Override
                public void failed(Throwable error) {
                    result.completeExceptionally(error);
                }
            }));
            for (ActorRef<EntityPartition.Command> p : preparedPartitions) {
                p.tell(new EntityPartition.ReleaseBatch(batchId, false));
            }
            return;
        }
        release(true);
        for (int i = 0; i < items.size(); i++) {
            if (hits[i] < 0) {
                IdempotencyKey key = firstHitKey();
                result.completeExceptionally(new IdempotencyConflictException(key,
                        "item " + i + " of this batch is new while item(s) with this key were stored earlier;"
                                + " a batch is replayed whole or not at all"));
                return;
            }
        }
        CompletableFuture.runAsync(() -> {
            List<AppendReceipt> receipts = new ArrayList<>(items.size());
            for (int i = 0; i < items.size(); i++) {
                EntityPartition.BatchItem it = items.get(i);
                receipts.add(EntityPartition.matchStored(rt.core, it.options().idempotencyKey(), hits[i],
                        it.coordinate(), it.kind(), it.payload()));
            }
            result.complete(receipts);
        }, rt.ioExecutor).exceptionally(e -> {
            result.completeExceptionally(unwrap(e));
            return null;
        });
    }

    private IdempotencyKey firstHitKey() {
        for (int i = 0; i < items.size(); i++) {
            if (hits[i] >= 0) {
                return items.get(i).options().idempotencyKey();
            }
        }
        throw new IllegalStateException("no hit");
    }

    private void abort(Throwable error) {
        release(true);
        result.completeExceptionally(error);
    }

    private void release(boolean aborted) {
        for (ActorRef<EntityPartition.Command> p : preparedPartitions) {
            p.tell(new EntityPartition.ReleaseBatch(batchId, aborted));
        }
        preparedPartitions.clear();
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
