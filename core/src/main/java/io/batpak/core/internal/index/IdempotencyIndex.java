package io.batpak.core.internal.index;

import io.batpak.core.IdempotencyKey;
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
    private final Map<IdempotencyKey, Object> pending = new HashMap<>();
    // FIFO of committed keys in commit order, for eviction.
    private long[] fifoMsb = new long[1024];
    private long[] fifoLsb = new long[1024];
    private long[] fifoSeq = new long[1024];
    private int head;
    private int count;

    public IdempotencyIndex(long window) {
        this.window = window;
    }

    /** Marker returned by {@link #claim} when the key is new and is now claimed by the caller. */
    public static final Object CLAIMED = new Object();

    /**
     * Looks a key up and claims it when it is new.
     *
     * @return {@link #CLAIMED} when the key was new (now claimed with {@code claim}); a {@link Long} global
     *     sequence when the key is committed; otherwise the claim object of the append holding it in flight
     */
    public synchronized Object claim(IdempotencyKey key, Object claim) {
        long seq = committed.get(key.msb(), key.lsb());
        if (seq >= 0) {
            return seq;
        }
        Object holder = pending.get(key);
        if (holder != null) {
            return holder;
        }
        pending.put(key, claim);
        return CLAIMED;
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
    public synchronized boolean runIfPending(IdempotencyKey key, Object holder, Runnable action) {
        if (pending.get(key) != holder) {
            return false;
        }
        action.run();
        return true;
    }

    /** Moves a claimed key to committed at {@code globalSequence}; returns the claim object (or null). */
    public synchronized Object commit(IdempotencyKey key, long globalSequence) {
        Object claim = pending.remove(key);
        addCommitted(key.msb(), key.lsb(), globalSequence);
        return claim;
    }

    /** Drops a claim whose append failed; returns the claim object (or null). */
    public synchronized Object release(IdempotencyKey key) {
        return pending.remove(key);
    }

    /** Records a committed key found during recovery (in commit order). */
    public synchronized void restore(long msb, long lsb, long globalSequence) {
        addCommitted(msb, lsb, globalSequence);
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
