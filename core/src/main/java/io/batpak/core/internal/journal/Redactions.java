package io.batpak.core.internal.journal;

import io.batpak.core.EventId;
import io.batpak.core.EventKind;
import io.batpak.core.PayloadCodec;
import io.batpak.core.RedactionRecord;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.CorruptStoreException;
import io.batpak.core.error.StoreException;
import io.batpak.core.internal.crypto.SubjectKeyStore;
import io.batpak.core.internal.index.EventIndex;
import io.batpak.core.internal.index.PostingList;
import io.batpak.core.internal.segment.SegmentSet;
import java.util.BitSet;

/**
 * The global sequences whose payloads were redacted: every event named by a durable {@link RedactionRecord}. A read
 * of one returns it without its payload even while its bytes are still in a segment; the next compaction of its
 * segment removes the bytes. Rebuilt on open from the redaction records (found through the index's kind postings,
 * so a checkpointed open does not scan for them).
 *
 * <p>Thread-safe: readers see an immutable snapshot; {@link #add} (after the records are durable) publishes a new
 * one.
 */
public final class Redactions {
    private volatile BitSet redacted;

    private Redactions(BitSet redacted) {
        this.redacted = redacted;
    }

    /** Whether the payload of the event at {@code globalSequence} was redacted. */
    public boolean contains(long globalSequence) {
        return globalSequence <= Integer.MAX_VALUE && redacted.get((int) globalSequence);
    }

    /** Whether any redaction was recorded. */
    public boolean isEmpty() {
        return redacted.isEmpty();
    }

    /** Records redacted global sequences (their records are durable). */
    public synchronized void add(long[] globalSequences) {
        BitSet copy = (BitSet) redacted.clone();
        for (long g : globalSequences) {
            copy.set((int) g);
        }
        redacted = copy;
    }

    /** Redacted events whose global sequence is in [{@code from}, {@code to}]. */
    public int countIn(long from, long to) {
        BitSet b = redacted;
        int n = 0;
        for (int g = b.nextSetBit((int) Math.max(0, from)); g >= 0 && g <= to; g = b.nextSetBit(g + 1)) {
            n++;
        }
        return n;
    }

    /**
     * Reads every redaction record in the index.
     *
     * @throws CorruptStoreException when a record cannot be read or decoded
     */
    static Redactions load(EventIndex index, SegmentSet segments, PayloadCodec codec, SubjectKeyStore keys) {
        BitSet set = new BitSet();
        PostingList records = index.kindPostings(EventKind.SYSTEM_REDACTION.raw());
        long visible = index.visible();
        if (records != null) {
            for (int i = 0; i < records.count(); i++) {
                int g = records.get(i);
                if (g > visible) {
                    break;
                }
                long loc = index.location(g);
                if (EventIndex.isRemoved(loc)) {
                    continue;
                }
                StoredEvent e = segments.readEvent(EventIndex.segmentOrdinal(loc), EventIndex.segmentOffset(loc),
                        index.length(g), g, codec, keys);
                RedactionRecord record;
                try {
                    record = e.payloadAs(RedactionRecord.class);
                } catch (StoreException ex) {
                    throw new CorruptStoreException(segments.segment(EventIndex.segmentOrdinal(loc)).path(),
                            EventIndex.segmentOffset(loc), "redaction record " + e.eventId() + " does not decode: "
                            + ex.getMessage());
                }
                for (String id : record.eventIds()) {
                    EventId target = EventId.parse(id);
                    long t = index.find(target.msb(), target.lsb());
                    if (t >= 0) {
                        set.set((int) t);
                    }
                }
            }
        }
        return new Redactions(set);
    }
}
