package io.batpak.persistence.internal;

import io.batpak.core.AppendOptions;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.ExpectedSequence;
import io.batpak.core.IndexEntry;
import io.batpak.core.Region;
import io.batpak.core.StoreReader;
import io.batpak.core.StoredEvent;
import io.batpak.persistence.CorruptJournalEventException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The journal's reads of the store: a persistence id's highest Pekko sequence number, where a Pekko sequence
 * number sits in the persistence id's batpak stream, and the deletion marks.
 *
 * <p>Pekko sequence numbers of one persistence id only grow, but may have gaps (a rejected write leaves one), while
 * the batpak entity sequence is gap-free. Every event of the stream therefore has a <em>key</em>: a journal
 * event's Pekko sequence number, or a deletion mark's highest sequence number at the time it was written (never
 * below the event before it, since a mark is appended only when its entity has no write in flight, conditional
 * on the entity's head). Keys never decrease along the stream, so a Pekko sequence number is found with one or two
 * reads for the usual gap-free stream and a binary search otherwise; no history is materialised.
 *
 * <p>A deletion mark (kind {@link PekkoNames#DELETION_KIND}, scope {@link PekkoNames#DELETION_SCOPE}) records
 * {@code deleteMessagesTo}; its payload, big-endian: u8 layout version (1), i64 deleted-to sequence number, i64
 * highest sequence number. Marks are read once at start (from the scope's posting list) and kept in memory per
 * entity that has one. Thread-safe.
 */
public final class JournalIndex {
    private static final int MARK_VERSION = 1;
    private static final int MARK_BYTES = 1 + 8 + 8;
    private static final int MARK_PAGE = 1024;

    private final StoreReader store;
    private final ConcurrentHashMap<String, Long> deletedTo = new ConcurrentHashMap<>();

    public JournalIndex(StoreReader store) {
        this.store = store;
        long after = -1;
        while (true) {
            List<StoredEvent> marks = store.query(Region.scope(PekkoNames.DELETION_SCOPE)
                    .withKind(PekkoNames.DELETION_KIND), after, MARK_PAGE);
            for (StoredEvent mark : marks) {
                deletedTo.merge(mark.coordinate().entity(), markDeletedTo(mark), Math::max);
                after = mark.globalSequence();
            }
            if (marks.size() < MARK_PAGE) {
                break;
            }
        }
    }

    /** The highest Pekko sequence number deleted from {@code entity}, 0 when none. */
    public long deletedTo(String entity) {
        return deletedTo.getOrDefault(entity, 0L);
    }

    /** Records a deletion mark once it is durable. */
    public void markDeleted(String entity, long toSequenceNr) {
        deletedTo.merge(entity, toSequenceNr, Math::max);
    }

    /**
     * The deletion mark to append for {@code deleteMessagesTo(toSequenceNr)}, or null when it would delete nothing
     * new. Call only while the persistence id has no write in flight.
     */
    public DeletionMark deletionMark(String persistenceId, long toSequenceNr) {
        String entity = PekkoNames.entity(persistenceId);
        long last = store.lastEntitySequence(entity);
        if (last < 0) {
            return null;
        }
        long highest = keyAt(entity, last);
        long to = Math.min(toSequenceNr, highest);
        if (to <= deletedTo(entity)) {
            return null;
        }
        byte[] payload = ByteBuffer.allocate(MARK_BYTES).put((byte) MARK_VERSION).putLong(to).putLong(highest).array();
        return new DeletionMark(AppendRequest.encoded(Coordinate.of(entity, PekkoNames.DELETION_SCOPE),
                PekkoNames.DELETION_KIND, payload, MARK_VERSION,
                AppendOptions.builder().expect(ExpectedSequence.exact(last)).build()), entity, to);
    }

    /** A deletion mark to append: once it is stored, {@link #markDeleted}{@code (entity, deletedTo)}. */
    public record DeletionMark(AppendRequest request, String entity, long deletedTo) {
    }

    private static long markDeletedTo(StoredEvent mark) {
        return markKey(mark, 1);
    }

    /** The highest Pekko sequence number stored for {@code entity}, 0 when none; deletions do not lower it. */
    public long highestSequenceNr(String entity) {
        long last = store.lastEntitySequence(entity);
        return last < 0 ? 0 : keyAt(entity, last);
    }

    /**
     * The entity sequence of the first event of {@code entity} whose key is at least {@code sequenceNr}, or the
     * entity's next sequence when there is none.
     */
    public long entitySequenceOf(String entity, long sequenceNr) {
        long last = store.lastEntitySequence(entity);
        if (last < 0) {
            return 0;
        }
        long first = keyAt(entity, 0);
        if (sequenceNr <= first) {
            return 0;
        }
        // A gap-free stream from `first` holds sequenceNr at this position: check it and its predecessor.
        long guess = sequenceNr - first;
        if (guess <= last && keyAt(entity, guess) >= sequenceNr && keyAt(entity, guess - 1) < sequenceNr) {
            return guess;
        }
        long lo = 1;
        long hi = last + 1;
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            if (keyAt(entity, mid) < sequenceNr) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * Calls {@code each} with the journal events of {@code entity} whose Pekko sequence number is in
     * [{@code from}, {@code to}] and above the deleted-to mark, in order, at most {@code max} of them, reading
     * {@code batch} events at a time.
     *
     * @return how many were passed to {@code each}
     */
    public long replay(String entity, long from, long to, long max, int batch, Consumer<StoredEvent> each) {
        if (max <= 0 || from > to) {
            return 0;
        }
        long start = Math.max(from, deletedTo(entity) + 1);
        long next = entitySequenceOf(entity, start);
        long count = 0;
        while (true) {
            List<StoredEvent> page = store.readEntity(entity, next, batch);
            for (StoredEvent e : page) {
                if (!e.kind().equals(PekkoNames.EVENT_KIND)) {
                    continue;
                }
                long seq = PersistentEventCodec.sequenceNr(e);
                if (seq > to) {
                    return count;
                }
                if (seq >= start) {
                    each.accept(e);
                    if (++count >= max) {
                        return count;
                    }
                }
            }
            if (page.size() < batch) {
                return count;
            }
            next += page.size();
        }
    }

    /** The stored event of {@code entity} with Pekko sequence number {@code sequenceNr}, or null. */
    public StoredEvent find(String entity, long sequenceNr) {
        long k = entitySequenceOf(entity, sequenceNr);
        List<StoredEvent> hit = store.readEntity(entity, k, 1);
        if (hit.isEmpty() || !hit.get(0).kind().equals(PekkoNames.EVENT_KIND)
                || PersistentEventCodec.sequenceNr(hit.get(0)) != sequenceNr) {
            return null;
        }
        return sequenceNr <= deletedTo(entity) ? null : hit.get(0);
    }

    /**
     * Whether {@code entity} is a persistence id of this journal: its first event is a journal event. With
     * {@code atOrBefore} >= 0, also whether that first event's global sequence is at most {@code atOrBefore}.
     */
    public boolean isJournalEntity(String entity, long atOrBefore) {
        for (IndexEntry first : store.queryIndex(Region.entity(entity).withSequenceRange(0, 0), -1, 2)) {
            if (first.entity().equals(entity)) {
                return first.kind().equals(PekkoNames.EVENT_KIND)
                        && (atOrBefore < 0 || first.globalSequence() <= atOrBefore);
            }
        }
        return false;
    }

    private long keyAt(String entity, long entitySequence) {
        List<StoredEvent> hit = store.readEntity(entity, entitySequence, 1);
        StoredEvent e = hit.get(0);
        if (e.kind().equals(PekkoNames.EVENT_KIND)) {
            return PersistentEventCodec.sequenceNr(e);
        }
        if (e.kind().equals(PekkoNames.DELETION_KIND)) {
            return markKey(e, 9);
        }
        throw new CorruptJournalEventException(e.eventId(), e.globalSequence(),
                "the persistence id's stream holds an event of kind " + e.kind() + ", not written by the journal");
    }

    private static long markKey(StoredEvent mark, int offset) {
        byte[] p = mark.payload();
        try {
            ByteBuffer b = ByteBuffer.wrap(p);
            if ((b.get(0) & 0xFF) != MARK_VERSION) {
                throw new CorruptJournalEventException(mark.eventId(), mark.globalSequence(),
                        "unknown deletion mark layout version " + (b.get(0) & 0xFF));
            }
            return b.getLong(offset);
        } catch (IndexOutOfBoundsException | BufferUnderflowException e) {
            throw new CorruptJournalEventException(mark.eventId(), mark.globalSequence(), "truncated deletion mark");
        }
    }
}
