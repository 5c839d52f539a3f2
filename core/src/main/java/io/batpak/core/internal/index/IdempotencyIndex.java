package io.batpak.core.internal.index;

import io.batpak.core.IdempotencyKey;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Durable idempotency keys: committed keys (key to global sequence) within the retention window, plus keys
 * claimed by appends in flight. A key is retained while its event's global sequence is within the last
 * {@code window} global sequences of the store; older keys are evicted in commit order.
 *
 * <p>The committed part is rebuilt on open from the segments (every frame stores its key) and the checkpoint,
 * so retries are recognised across restarts. Thread-safe (all methods synchronized; only keyed appends use it).
 */
public final class IdempotencyIndex {
    private final long window;
    private final KeyTable committed = new KeyTable();
    private final Map<IdempotencyKey, Holder> pending = new HashMap<>();
    // FIFO of committed keys in commit order, for eviction.
    private long[] fifoMsb = new long[1024];
    private long[] fifoLsb = new long[1024];
    private long[] fifoSeq = new long[1024];
    private int head;
    private int count;

    public IdempotencyIndex(long window) {
        this.window = window;
    }

    /** Whatever an append in flight holds its key's claim with (the runtime's waiters live there). */
    public interface Holder {
    }

    /** What {@link #claim} found. */
    public sealed interface Claim {
    }

    /** The key was new and is now claimed by the caller's holder. */
    public enum Granted implements Claim { INSTANCE }

    /** The key is committed: its event has this global sequence. */
    public record Stored(long globalSequence) implements Claim {
    }

    /** An append in flight holds the key. */
    public record InFlight(Holder holder) implements Claim {
    }

    /** Looks a key up and claims it for {@code holder} when it is new. */
    public synchronized Claim claim(IdempotencyKey key, Holder holder) {
        long seq = committed.get(key.msb(), key.lsb());
        if (seq >= 0) {
            return new Stored(seq);
        }
        Holder current = pending.get(key);
        if (current != null) {
            return new InFlight(current);
        }
        pending.put(key, holder);
        return Granted.INSTANCE;
    }

    /** The committed global sequence of the key, or -1. */
    public synchronized long committedSequence(IdempotencyKey key) {
        return committed.get(key.msb(), key.lsb());
    }

    /**
     * Runs {@code action} under this index's lock if {@code holder} still holds the key's claim (so the action
     * happens-before the claim's removal by {@link #commit} or {@link #release}).
     *
     * @return whether the claim was still pending and the action ran
     */
    public synchronized boolean runIfPending(IdempotencyKey key, Holder holder, Runnable action) {
        if (pending.get(key) != holder) {
            return false;
        }
        action.run();
        return true;
    }

    /** Moves a claimed key to committed at {@code globalSequence}; returns its holder (or null). */
    public synchronized Holder commit(IdempotencyKey key, long globalSequence) {
        Holder claim = pending.remove(key);
        addCommitted(key.msb(), key.lsb(), globalSequence);
        return claim;
    }

    /** Drops a claim whose append failed; returns its holder (or null). */
    public synchronized Holder release(IdempotencyKey key) {
        return pending.remove(key);
    }

    /** Records a committed key found during recovery (in commit order). */
    public synchronized void restore(long msb, long lsb, long globalSequence) {
        addCommitted(msb, lsb, globalSequence);
    }

    /** Forgets a committed key whose event at {@code globalSequence} was removed (a later use of it stays). */
    public synchronized void forget(long msb, long lsb, long globalSequence) {
        if (committed.get(msb, lsb) == globalSequence) {
            committed.remove(msb, lsb);
        }
    }

    /** Evicts keys that fell out of the window, given the store's last global sequence. */
    public synchronized void evict(long lastGlobalSequence) {
        long oldestKept = lastGlobalSequence - window + 1;
        while (count > 0 && fifoSeq[head] < oldestKept) {
            // A key reused after it expired has a newer entry further back in the FIFO (recovery restores every
            // use of it): drop the key only if this entry is still the one it maps to.
            if (committed.get(fifoMsb[head], fifoLsb[head]) == fifoSeq[head]) {
                committed.remove(fifoMsb[head], fifoLsb[head]);
            }
            head = (head + 1) % fifoSeq.length;
            count--;
        }
    }

    public synchronized int committedCount() {
        return committed.size();
    }

    public synchronized int pendingCount() {
        return pending.size();
    }

    /** Visits committed keys in commit order. */
    public synchronized void forEachCommitted(CommittedKeyVisitor visitor) {
        for (int i = 0; i < count; i++) {
            int at = (head + i) % fifoSeq.length;
            visitor.visit(fifoMsb[at], fifoLsb[at], fifoSeq[at]);
        }
    }

    /**
     * The committed keys whose global sequence is below {@code globalSequenceLimit}, in commit order, taken at one
     * moment: three longs per key (msb, lsb, global sequence).
     */
    public synchronized long[] committedBefore(long globalSequenceLimit) {
        long[] out = new long[3 * count];
        int n = 0;
        for (int i = 0; i < count; i++) {
            int at = (head + i) % fifoSeq.length;
            if (fifoSeq[at] < globalSequenceLimit) {
                out[n++] = fifoMsb[at];
                out[n++] = fifoLsb[at];
                out[n++] = fifoSeq[at];
            }
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /** Receives committed keys. */
    @FunctionalInterface
    public interface CommittedKeyVisitor {
        void visit(long msb, long lsb, long globalSequence);
    }

    private void addCommitted(long msb, long lsb, long seq) {
        if (window == 0) {
            return;
        }
        committed.put(msb, lsb, seq);
        if (count == fifoSeq.length) {
            int n = fifoSeq.length * 2;
            long[] m = new long[n];
            long[] l = new long[n];
            long[] s = new long[n];
            for (int i = 0; i < count; i++) {
                int at = (head + i) % fifoSeq.length;
                m[i] = fifoMsb[at];
                l[i] = fifoLsb[at];
                s[i] = fifoSeq[at];
            }
            fifoMsb = m;
            fifoLsb = l;
            fifoSeq = s;
            head = 0;
        }
        int tail = (head + count) % fifoSeq.length;
        fifoMsb[tail] = msb;
        fifoLsb[tail] = lsb;
        fifoSeq[tail] = seq;
        count++;
        evict(seq);
    }
}
