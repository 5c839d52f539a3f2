package io.batpak.actors.internal;

import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.Coordinate;
import io.batpak.core.EventId;
import io.batpak.core.EventKind;
import io.batpak.core.GateDenial;
import io.batpak.core.IdempotencyKey;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.GateDeniedException;
import io.batpak.core.error.IdempotencyConflictException;
import io.batpak.core.error.SequenceMismatchException;
import io.batpak.core.error.StoreWriteException;
import io.batpak.core.internal.crypto.PayloadEnvelope;
import io.batpak.core.internal.crypto.SubjectKey;
import io.batpak.core.internal.crypto.SubjectKeyStore;
import io.batpak.core.internal.index.IdempotencyIndex;
import io.batpak.core.internal.journal.PendingEvent;
import io.batpak.core.internal.journal.StoreCore;
import io.batpak.core.internal.segment.FrameEncoder;
import io.batpak.core.internal.segment.FrameLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * An entity-index partition: owns the heads (last sequence, last hash) of the entities that hash to it. For each
 * append it checks the idempotency key (before anything else, so a retried conditional append gets its receipt),
 * then the expected sequence against the pending head (including appends still in flight), assigns the entity
 * sequence, timestamp and id, computes the chain hash, encodes the frame and hands it to the writer. Several
 * appends per entity may be in flight; the writer's FIFO mailbox keeps their order.
 *
 * <p>The configured gates are evaluated after the expected-sequence check and before a sequence is assigned, for
 * single appends and for each batch item (against the head including the batch's earlier items). A denial fails
 * the append (the batch) and releases its key claims; with {@code record-denials} on, a
 * {@link EventKind#SYSTEM_DENIAL} event is first appended to the denied entity's chain and the append fails once
 * that record is written.
 *
 * <p>An atomic batch that touches entities of several partitions is prepared in each (in ascending partition
 * order, so two batches never wait on each other): the partition builds the batch's events on its heads and
 * holds those entities until the batch is released; appends to a held entity wait in order behind it. On abort
 * the heads go back to where they were.
 *
 * <p>An append with an {@link io.batpak.core.AppendCondition} holds its entity from the moment its event is built
 * until the writer's {@link WriterActor.Verdict}: released as built when the writer staged it, restored when the
 * writer refused it. Appends to the entity meanwhile wait in order behind it, so none is built on an event a
 * condition might still refuse.
 *
 * <p>When the writer fails a write it bumps the epoch and sends {@link Reset}: the partition reloads its heads
 * from what is durable; frames built on the failed ones carry the old epoch and are refused by the writer, so
 * no chain ever links to an event that was not stored.
 */
public final class EntityPartition extends AbstractBehavior<EntityPartition.Command> {

    /** The partition's protocol. */
    public sealed interface Command {
    }

    /** Append one event; the payload is already encoded. The outcome goes to {@code replyTo}. */
    public record Append(Coordinate coordinate, EventKind kind, byte[] payload, int payloadVersion,
                         AppendOptions options, OutcomeReceiver replyTo) implements Command {
    }

    /**
     * Prepare the items of a batch that belong to this partition and hold their entities; the outcome goes to
     * {@code replyTo}. A gate denial recorded as an event answers {@code deniedTo} once the record is written.
     */
    public record PrepareBatch(long batchId, List<BatchItem> items, ActorRef<PrepareOutcome> replyTo,
                               OutcomeReceiver deniedTo) implements Command {
    }

    /**
     * Release a prepared batch's entities; on abort restore their heads and drop its key claims. An abort of a batch
     * this partition has not prepared (its prepare still waits behind a held entity) drops the waiting prepare.
     */
    public record ReleaseBatch(long batchId, boolean aborted, boolean releaseKeys) implements Command {
        /** A release that, on abort, also drops the batch's key claims. */
        public ReleaseBatch(long batchId, boolean aborted) {
            this(batchId, aborted, true);
        }
    }

    /** A write failed: reload heads from durable state and stamp new frames with {@code epoch}. */
    public record Reset(long epoch) implements Command {
    }

    /** What a prepare found. */
    public sealed interface PrepareOutcome {
    }

    /** The prepare could not be done; nothing is held. */
    public record PrepareRefused(Throwable error) implements PrepareOutcome {
    }

    /** The writer's verdict on a conditional single append this partition holds the entity of. */
    private record VerdictReply(WriterActor.Verdict verdict) implements Command {
    }

    /** Hands the writes built since the last one to the writer, as one message. */
    private enum SendWrites implements Command { INSTANCE }

    /** An append that already claimed its key and waits behind a held entity. */
    private record Claimed(Append append, KeyClaim claim) implements Command {
    }

    /**
     * One batch item, with its position in the whole batch.
     *
     * @param eventId  the id the event gets, or null for a new one (an import keeps the source's ids)
     * @param presealed whether {@code payload} is already a subject's envelope (an imported sealed payload): it is
     *                 stored as it is
     */
    public record BatchItem(int index, Coordinate coordinate, EventKind kind, byte[] payload, int payloadVersion,
                     AppendOptions options, EventId eventId, boolean presealed) {
        public BatchItem(int index, Coordinate coordinate, EventKind kind, byte[] payload, int payloadVersion,
                         AppendOptions options) {
            this(index, coordinate, kind, payload, payloadVersion, options, null, false);
        }
    }

    /**
     * Outcome of a prepare: either events (aligned with the items, keys claimed, entities held) or, when any
     * item's key is already committed, {@code hits} (global sequence per item, -1 for a new key) and no events.
     */
    public record Prepared(long epoch, PendingEvent[] events, long[] hits) implements PrepareOutcome {
    }

    private static final class Head {
        final String entity;
        long lastSeq;
        byte[] lastHash;
        long heldBy;
        long preSeq;
        byte[] preHash;
        ArrayDeque<Command> waiting;

        Head(String entity, long lastSeq, byte[] lastHash) {
            this.entity = entity;
            this.lastSeq = lastSeq;
            this.lastHash = lastHash;
        }

        void enqueue(Command c) {
            if (waiting == null) {
                waiting = new ArrayDeque<>();
            }
            waiting.add(c);
        }
    }

    private record PreparedBatch(long epoch, List<Head> heads, List<IdempotencyKey> keys) {
    }

    /** A head held by a conditional single append, and the epoch it was built in. */
    private record Held(Head head, long epoch) {
    }

    /** {@code heldBy} of an entity held by a conditional single append (batch ids are positive). */
    private static final long CONDITION_HOLD = -1;

    private final StoreState state;
    private final ActorRef<WriterActor.Command> writer;
    private final String name;
    private final StoreCore core;
    private final IdempotencyIndex keys;
    private final FrameEncoder encoder = new FrameEncoder();
    private final PayloadEnvelope envelope = new PayloadEnvelope();
    private final GateEvaluator gates;
    private final boolean recordDenials;
    private final Map<String, Head> heads = new HashMap<>();
    private final Map<Long, PreparedBatch> prepared = new HashMap<>();
    /** Batches aborted before this partition prepared them: their prepares, still queued, are dropped. */
    private final Set<Long> abandoned = new HashSet<>();
    /** Conditional single appends awaiting the writer's verdict, by their event: the head each holds. */
    private final Map<PendingEvent, Held> awaitingVerdict = new HashMap<>();
    private final ActorRef<WriterActor.Verdict> verdictAdapter;
    /** Writes built in this turn, not yet handed to the writer. */
    private final List<WriterActor.Write> outbox = new ArrayList<>();
    private long epoch;

    public static Behavior<Command> create(StoreState state, ActorRef<WriterActor.Command> writer, String name) {
        return Behaviors.setup(ctx -> new EntityPartition(ctx, state, writer, name));
    }

    private EntityPartition(ActorContext<Command> ctx, StoreState state, ActorRef<WriterActor.Command> writer,
                            String name) {
        super(ctx);
        this.state = state;
        this.writer = writer;
        this.name = name;
        this.core = state.core;
        this.keys = core.keys();
        this.gates = new GateEvaluator(core.config().gates(), core.codec());
        this.recordDenials = core.config().recordDenials();
        this.verdictAdapter = ctx.messageAdapter(WriterActor.Verdict.class, VerdictReply::new);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Append.class, a -> {
                    onAppend(a);
                    return this;
                })
                .onMessageEquals(SendWrites.INSTANCE, () -> {
                    sendWrites();
                    return this;
                })
                .onMessage(Claimed.class, c -> {
                    appendClaimed(c.append(), c.claim());
                    return this;
                })
                .onMessage(PrepareBatch.class, p -> {
                    onPrepare(p);
                    return this;
                })
                .onMessage(ReleaseBatch.class, r -> {
                    onRelease(r);
                    return this;
                })
                .onMessage(Reset.class, r -> {
                    onReset(r);
                    return this;
                })
                .onMessage(VerdictReply.class, v -> {
                    onVerdict(v.verdict());
                    return this;
                })
                .build();
    }

    private Head head(String entity) {
        Head h = heads.get(entity);
        if (h == null) {
            StoreCore.EntityHead d = core.head(entity);
            h = new Head(entity, d.lastSequence(), d.lastHash());
            heads.put(entity, h);
        }
        return h;
    }

    private void onAppend(Append a) {
        state.faults.beforeMessage(name, a);
        IdempotencyKey key = a.options().idempotencyKey();
        KeyClaim claim = null;
        if (key != null) {
            claim = new KeyClaim(a.coordinate(), a.kind(), a.payload());
            while (true) {
                IdempotencyIndex.Claim r = keys.claim(key, claim);
                if (r == IdempotencyIndex.Granted.INSTANCE) {
                    break;
                }
                if (r instanceof IdempotencyIndex.Stored s) {
                    replayStored(key, s.globalSequence(), a.coordinate(), a.kind(), a.payload(), a.replyTo());
                    return;
                }
                KeyClaim holder = (KeyClaim) ((IdempotencyIndex.InFlight) r).holder();
                if (!holder.sameRequest(a.coordinate(), a.kind(), a.payload())) {
                    fail(a.replyTo(), new IdempotencyConflictException(key, "an append in flight with this key is for "
                            + holder.coordinate + " kind " + holder.kind + ", this one is for " + a.coordinate()
                            + " kind " + a.kind() + (holder.coordinate.equals(a.coordinate()) && holder.kind.equals(a.kind())
                            ? " with a different payload" : "")));
                    return;
                }
                if (keys.runIfPending(key, holder, () -> holder.addWaiter(a.replyTo()))) {
                    return;
                }
                // The original finished between the two look-ups: look again.
            }
        }
        appendClaimed(a, claim);
    }

    private void appendClaimed(Append a, KeyClaim claim) {
        Head h = head(a.coordinate().entity());
        if (h.heldBy != 0) {
            h.enqueue(new Claimed(a, claim));
            return;
        }
        if (!a.options().expected().matches(h.lastSeq)) {
            releaseKey(a.options().idempotencyKey());
            fail(a.replyTo(), new SequenceMismatchException(h.entity, a.options().expected(), h.lastSeq));
            return;
        }
        if (gates.active()) {
            GateDeniedException denied = gates.evaluate(a.coordinate(), a.kind(), a.payload(), a.payloadVersion(),
                    a.options(), h.lastSeq, h.lastHash, -1);
            if (denied != null) {
                releaseKey(a.options().idempotencyKey());
                deny(h, a.coordinate(), a.payload(), a.payloadVersion(), a.options(), denied, a.replyTo());
                return;
            }
        }
        PendingEvent e = build(a.coordinate(), a.kind(), a.payload(), a.payloadVersion(), a.options(), h.lastSeq + 1,
                h.lastHash);
        if (a.options().condition() != null) {
            // Held until the writer has checked the condition: nothing may be built on an event it could refuse.
            h.preSeq = h.lastSeq;
            h.preHash = h.lastHash;
            h.heldBy = CONDITION_HOLD;
            awaitingVerdict.put(e, new Held(h, epoch));
        }
        h.lastSeq = e.entitySequence();
        h.lastHash = e.eventHashBytes();
        queueWrite(new WriterActor.Write(epoch, new PendingEvent[] {e}, null, a.replyTo(),
                a.options().condition() != null ? verdictAdapter : null));
    }

    /**
     * Releases the entity a conditional single append held: as built when the writer staged it, restored when the
     * writer refused it (the writer released its key claim and answered the caller).
     */
    private void onVerdict(WriterActor.Verdict v) {
        Held held = awaitingVerdict.remove(v.events()[0]);
        if (held == null) {
            return;
        }
        Head h = held.head();
        if (v.refusal() != null) {
            restore(h, held.epoch());
        }
        h.heldBy = 0;
        h.preHash = null;
        drain(h);
    }

    private PendingEvent build(Coordinate c, EventKind kind, byte[] payload, int payloadVersion, AppendOptions o,
                               long seq, byte[] prevHash) {
        return build(c, kind, payload, payloadVersion, o, seq, prevHash, null, false);
    }

    private PendingEvent build(Coordinate c, EventKind kind, byte[] payload, int payloadVersion, AppendOptions o,
                               long seq, byte[] prevHash, EventId presetId, boolean presealed) {
        long ts = core.clock().next();
        EventId id = presetId != null ? presetId : EventId.generate();
        EventId correlation = o.correlationId() != null ? o.correlationId() : id;
        byte[] hash = new byte[32];
        List<String> tags = o.tags();
        byte[][] tagBytes = null;
        if (!tags.isEmpty()) {
            tagBytes = new byte[tags.size()][];
            for (int i = 0; i < tagBytes.length; i++) {
                tagBytes[i] = tags.get(i).getBytes(StandardCharsets.UTF_8);
            }
        }
        byte[] stored = payload;
        int encoding = FrameLayout.ENCODING_PLAIN;
        if (presealed) {
            encoding = FrameLayout.ENCODING_SEALED;
        } else if (o.subject() != null) {
            // The store made the key durable before sending the append; it is missing only when forgetSubject ran
            // since. The event is then ordered before that forget: sealed with a key that is already destroyed.
            SubjectKey key = core.subjectKeys().find(o.subject());
            stored = envelope.seal(key != null ? key : SubjectKeyStore.destroyed(o.subject()), payload);
            encoding = FrameLayout.ENCODING_SEALED;
        }
        byte[] frame = encoder.encode(c.entityBytes(), c.scopeBytes(), tagBytes, stored, encoding, kind.raw(), o.flags(),
                payloadVersion, seq, ts, id, correlation, o.causationId(), o.idempotencyKey(), prevHash, hash);
        return new PendingEvent(frame, c, id, seq, ts, hash, kind.raw(), o.idempotencyKey(), tags, o.condition());
    }

    /**
     * Fails {@code reply} with {@code denied}; with record-denials on, first appends a SYSTEM_DENIAL event to the
     * entity (head {@code h}, not held) and fails the reply once that record's write has completed.
     */
    private void deny(Head h, Coordinate c, byte[] payload, int payloadVersion, AppendOptions proposed,
                      GateDeniedException denied, OutcomeReceiver reply) {
        if (!recordDenials) {
            fail(reply, denied);
            return;
        }
        byte[] record;
        try {
            record = core.codec().encode(GateDenial.of(denied, payloadVersion, payload));
        } catch (RuntimeException e) {
            denied.addSuppressed(e);
            fail(reply, denied);
            return;
        }
        AppendOptions.Builder o = AppendOptions.builder();
        if (proposed.correlationId() != null) {
            o.correlationId(proposed.correlationId());
        }
        PendingEvent e = build(c, EventKind.SYSTEM_DENIAL, record, 0, o.build(), h.lastSeq + 1, h.lastHash);
        h.lastSeq = e.entitySequence();
        h.lastHash = e.eventHashBytes();
        queueWrite(new WriterActor.Write(epoch, new PendingEvent[] {e}, denied, reply));
    }

    /** A retry of a committed key: answer with the stored event's receipt if it asked for the same event. */
    private void replayStored(IdempotencyKey key, long seq, Coordinate c, EventKind kind, byte[] payload,
                              OutcomeReceiver reply) {
        state.ioExecutor.execute(() -> {
            WriteOutcome outcome;
            try {
                outcome = new WriteOutcome.Replayed(List.of(matchStored(core, key, seq, c, kind, payload)));
            } catch (RuntimeException e) {
                outcome = new WriteOutcome.Failed(e);
            }
            reply.tell(outcome);
        });
    }

    /**
     * The receipt of the stored event at {@code seq} if it has the same coordinate, kind and payload; signed like the
     * original when the store signs receipts (Ed25519 is deterministic, so it equals the original while the newest
     * signing key is unchanged).
     *
     * @throws IdempotencyConflictException when it differs
     */
    public static AppendReceipt matchStored(StoreCore core, IdempotencyKey key, long seq, Coordinate c, EventKind kind,
                                     byte[] payload) {
        StoredEvent stored = core.readAt(seq);
        if (stored == null) {
            throw new IdempotencyConflictException(key, "its event (global sequence " + seq + ") was removed by a"
                    + " compaction while this append was checked; retry it");
        }
        if (!stored.coordinate().equals(c)) {
            throw new IdempotencyConflictException(key, "it stored event " + stored.eventId() + " at " + stored.coordinate()
                    + ", this append is for " + c);
        }
        if (!stored.kind().equals(kind)) {
            throw new IdempotencyConflictException(key, "it stored event " + stored.eventId() + " of kind " + stored.kind()
                    + ", this append has kind " + kind);
        }
        if (!Arrays.equals(stored.payload(), payload)) {
            throw new IdempotencyConflictException(key, "it stored event " + stored.eventId()
                    + " with a different payload");
        }
        return core.receiptOf(stored);
    }

    private void onPrepare(PrepareBatch p) {
        // The batch's events reach the writer from its coordinator once prepared here: every write built before
        // it must be at the writer first, or an entity's events could arrive out of order.
        sendWrites();
        if (abandoned.remove(p.batchId())) {
            return;
        }
        List<BatchItem> items = p.items();
        for (BatchItem it : items) {
            Head h = head(it.coordinate().entity());
            if (h.heldBy != 0) {
                h.enqueue(p);
                return;
            }
        }
        int n = items.size();
        long[] hits = new long[n];
        Arrays.fill(hits, -1);
        List<IdempotencyKey> claimed = new ArrayList<>();
        boolean anyHit = false;
        for (int i = 0; i < n; i++) {
            BatchItem it = items.get(i);
            IdempotencyKey key = it.options().idempotencyKey();
            if (key == null) {
                continue;
            }
            IdempotencyIndex.Claim r = keys.claim(key, new KeyClaim(it.coordinate(), it.kind(), it.payload()));
            if (r == IdempotencyIndex.Granted.INSTANCE) {
                claimed.add(key);
            } else if (r instanceof IdempotencyIndex.Stored s) {
                hits[i] = s.globalSequence();
                anyHit = true;
            } else {
                claimed.forEach(this::releaseKey);
                p.replyTo().tell(new PrepareRefused(new IdempotencyConflictException(key,
                        "an append with this key is still in flight; retry after it completes")));
                return;
            }
        }
        if (anyHit) {
            claimed.forEach(this::releaseKey);
            p.replyTo().tell(new Prepared(epoch, null, hits));
            return;
        }
        Map<String, Head> touched = new LinkedHashMap<>();
        Map<String, Object[]> tentative = new HashMap<>();
        PendingEvent[] events = new PendingEvent[n];
        for (int i = 0; i < n; i++) {
            BatchItem it = items.get(i);
            String entity = it.coordinate().entity();
            Head h = head(entity);
            touched.put(entity, h);
            Object[] t = tentative.get(entity);
            long last = t == null ? h.lastSeq : (Long) t[0];
            byte[] lastHash = t == null ? h.lastHash : (byte[]) t[1];
            if (!it.options().expected().matches(last)) {
                claimed.forEach(this::releaseKey);
                p.replyTo().tell(new PrepareRefused(new SequenceMismatchException(entity, it.options().expected(), last)));
                return;
            }
            if (gates.active()) {
                GateDeniedException denied = gates.evaluate(it.coordinate(), it.kind(), it.payload(),
                        it.payloadVersion(), it.options(), last, lastHash, it.index());
                if (denied != null) {
                    // Nothing of the batch touched the heads yet: the denial (if recorded) chains to the real head.
                    claimed.forEach(this::releaseKey);
                    deny(h, it.coordinate(), it.payload(), it.payloadVersion(), it.options(), denied, p.deniedTo());
                    return;
                }
            }
            PendingEvent e = build(it.coordinate(), it.kind(), it.payload(), it.payloadVersion(), it.options(), last + 1,
                    lastHash, it.eventId(), it.presealed());
            events[i] = e;
            tentative.put(entity, new Object[] {e.entitySequence(), e.eventHashBytes()});
        }
        for (Head h : touched.values()) {
            Object[] t = tentative.get(h.entity);
            h.preSeq = h.lastSeq;
            h.preHash = h.lastHash;
            h.lastSeq = (Long) t[0];
            h.lastHash = (byte[]) t[1];
            h.heldBy = p.batchId();
        }
        prepared.put(p.batchId(), new PreparedBatch(epoch, new ArrayList<>(touched.values()), claimed));
        p.replyTo().tell(new Prepared(epoch, events, hits));
    }

    private void onRelease(ReleaseBatch r) {
        PreparedBatch pb = prepared.remove(r.batchId());
        if (pb == null) {
            if (r.aborted()) {
                abandoned.add(r.batchId());
            }
            return;
        }
        if (r.aborted() && r.releaseKeys()) {
            for (IdempotencyKey key : pb.keys()) {
                releaseKey(key);
            }
        }
        for (Head h : pb.heads()) {
            if (r.aborted()) {
                restore(h, pb.epoch());
            }
            h.heldBy = 0;
            h.preHash = null;
        }
        for (Head h : pb.heads()) {
            drain(h);
        }
    }

    private void drain(Head h) {
        while (h.heldBy == 0 && h.waiting != null && !h.waiting.isEmpty()) {
            Command c = h.waiting.poll();
            if (c instanceof Claimed cl) {
                appendClaimed(cl.append(), cl.claim());
            } else if (c instanceof PrepareBatch p) {
                onPrepare(p);
            }
        }
    }

    private void onReset(Reset r) {
        epoch = r.epoch();
        for (Head h : heads.values()) {
            reload(h);
        }
    }

    /**
     * Puts a held head back to where it was before the hold: as saved when the hold began in this epoch, else (a
     * reset since) as reloaded from what is durable.
     */
    private void restore(Head h, long heldEpoch) {
        if (heldEpoch == epoch) {
            h.lastSeq = h.preSeq;
            h.lastHash = h.preHash;
        } else {
            reload(h);
        }
    }

    private void reload(Head h) {
        StoreCore.EntityHead d = core.head(h.entity);
        h.lastSeq = d.lastSequence();
        h.lastHash = d.lastHash();
    }

    private void releaseKey(IdempotencyKey key) {
        if (key == null) {
            return;
        }
        if (keys.release(key) instanceof KeyClaim c) {
            StoreWriteException error = new StoreWriteException("the append holding idempotency key " + key
                    + " did not complete; retry", null);
            state.replyExecutor.execute(() -> c.fail(error));
        }
    }

    /**
     * Queues a built write for the writer. The writes of one turn of this actor (the appends in its mailbox when it
     * runs) leave together in one message: a {@link SendWrites} marker sent to itself with the first comes back
     * after the appends already queued, so the writer gets one message per turn, not one per append. In order.
     */
    private void queueWrite(WriterActor.Write w) {
        if (outbox.isEmpty()) {
            getContext().getSelf().tell(SendWrites.INSTANCE);
        }
        outbox.add(w);
    }

    private void sendWrites() {
        int n = outbox.size();
        if (n == 0) {
            return;
        }
        if (n == 1) {
            writer.tell(outbox.get(0));
        } else {
            writer.tell(new WriterActor.Writes(outbox.toArray(new WriterActor.Write[0])));
        }
        for (int i = 0; i < n; i++) {
            state.faults.afterMessage(name, outbox.get(i));
        }
        outbox.clear();
    }

    private void fail(OutcomeReceiver reply, Throwable error) {
        reply.tell(new WriteOutcome.Failed(error));
    }
}
