package io.batpak.core;

import io.batpak.core.error.ChainBrokenException;
import io.batpak.core.error.CorruptStoreException;
import io.batpak.core.error.EventTypeMismatchException;
import io.batpak.core.error.FutureVersionException;
import io.batpak.core.error.InvalidEventTypeException;
import io.batpak.core.error.InvalidQueryException;
import io.batpak.core.error.MissingUpcasterException;
import io.batpak.core.error.UpcastException;
import java.util.List;
import java.util.Optional;

/**
 * The reads and integrity checks of a store: the one contract of {@code BatpakStore} (the live, writable store)
 * and {@link ReadOnlyStore} (an audit open that changes no file).
 *
 * <h2>Visibility</h2>
 * Every read sees exactly the <em>visible</em> events: those that are durable under the store's
 * {@link SyncMode} (a reader never sees an event a crash could take back) and, for an atomic batch, all of its
 * events at once or none of them. An event becomes visible before its append's receipt is delivered, so a
 * caller that holds a receipt always reads the event back. A read that starts after another read returned never
 * sees fewer events.
 *
 * <h2>Ordering</h2>
 * Global sequences are gap-free from 0 in commit order; entity sequences are gap-free from 0 per entity. Paged
 * reads return events in ascending sequence order; page by passing the last sequence returned.
 *
 * <h2>Integrity</h2>
 * Every frame read is checked (CRC32C over the frame) before it is returned. Damaged data fails the read with
 * {@link CorruptStoreException} naming the file and offset, and is never served.
 *
 * <h2>Errors</h2>
 * A missing argument or one out of range fails with {@link InvalidQueryException} naming it; nothing else throws
 * for bad input.
 *
 * <h2>Threads</h2>
 * Every method is thread-safe, synchronous and runs on the calling thread; it never waits for the writer and never
 * delays appends. Reads of payloads do positional file reads (blocking I/O): call them from a thread that may
 * block, not from an actor's message handler on the default dispatcher.
 */
public interface StoreReader {

    /** The configuration the store was opened with. */
    StoreConfig config();

    /** The global sequence of the last visible event, -1 when the store is empty. */
    long lastGlobalSequence();

    /**
     * The end of the run of events removed by compaction that starts right after {@code afterGlobalSequence}: when
     * the events {@code afterGlobalSequence + 1 .. r} were all removed, {@code r}; {@code afterGlobalSequence} itself
     * when the next event is there or nothing follows. A reader resuming from a checkpoint at
     * {@code afterGlobalSequence} uses it to report what it can no longer read; global sequences are never reused, so
     * the range stays removed.
     *
     * @throws InvalidQueryException when {@code afterGlobalSequence} is below -1
     */
    long removedThrough(long afterGlobalSequence);

    /**
     * The visible event with this id, or empty (also when compaction removed it).
     *
     * @throws InvalidQueryException when {@code eventId} is null
     */
    Optional<StoredEvent> get(EventId eventId);

    /**
     * Up to {@code max} visible events of {@code entity} with entity sequence at or after {@code fromSequence}, in
     * entity-sequence order (which is also commit order). Empty when the entity has no such event.
     *
     * @throws InvalidQueryException when {@code entity} is null or {@code fromSequence} or {@code max} is negative
     */
    List<StoredEvent> readEntity(String entity, long fromSequence, int max);

    /**
     * The entity sequence of {@code entity}'s last visible event, -1 when it has none. Answered from the index,
     * without reading a frame.
     *
     * @throws InvalidQueryException when {@code entity} is null
     */
    long lastEntitySequence(String entity);

    /**
     * The visible events of {@code entity} of {@code type}'s kind, from entity sequence {@code fromSequence} on, at
     * most {@code max}, decoded as {@code type} (an {@link EventType} class, registered on first use). Events of
     * other kinds are skipped using the index. Events stored with an older payload version are upcast
     * ({@link Upcaster}).
     *
     * @throws InvalidEventTypeException when {@code type} has no valid {@link EventType} annotation
     * @throws InvalidQueryException when {@code type} or {@code entity} is null or a number is negative
     * @throws MissingUpcasterException when an older version has no upcaster to the current one
     * @throws UpcastException when an upcaster failed
     * @throws FutureVersionException when an event was stored with a newer version than {@code type}'s
     * @throws EventTypeMismatchException when a payload does not decode as {@code type}
     */
    <T> List<T> readTyped(String entity, long fromSequence, int max, Class<T> type);

    /**
     * Up to {@code limit} visible events in {@code region} with a global sequence strictly after
     * {@code afterGlobalSequence} ({@code -1} starts at the beginning), in commit order. A page shorter than
     * {@code limit} means there was nothing more (yet) when it was read, also while a compaction removes events:
     * a page is never shortened by events removed during the read.
     *
     * @throws InvalidQueryException when {@code region} is null, the position is below -1 or the limit negative
     */
    List<StoredEvent> query(Region region, long afterGlobalSequence, int limit);

    /**
     * The events of {@code region} after {@code afterGlobalSequence} ({@code -1}: from the first) up to the last
     * event visible when the call starts, in global-sequence order, read sequentially from the segment files: the
     * fast path for replaying a store (rebuilding a read model, feeding a new consumer). Each returned event's frame
     * passed its CRC32C and structure checks and sits at its place in the global order; a frame that does not fails
     * the iteration with {@link io.batpak.core.error.CorruptStoreException} naming file and offset (BLAKE3 hashes are
     * checked by {@link #verify()}, not here). Redactions apply as for {@link #query}. Appends go on meanwhile and are
     * not included; an event a compaction removes while the replay runs may or may not be returned. Memory is one
     * read buffer and one event at a time. The iterator is for one thread; close it when leaving early.
     *
     * @throws InvalidQueryException when {@code region} is null or the position is below -1
     */
    EventIterator replay(Region region, long afterGlobalSequence);

    /**
     * {@link #replay(Region, long)} handing each event to {@code handler} in place, as an {@link EventView} over its
     * checked frame: the same events, order, checks and errors, with nothing copied or allocated per event unless the
     * handler asks (its {@link EventView#toStoredEvent()}). Runs on the calling thread and returns when the events
     * visible at the call are handed, or when the handler throws (the exception is rethrown).
     *
     * @return how many events were handed
     * @throws InvalidQueryException when {@code region} or {@code handler} is null or the position is below -1
     */
    long replay(Region region, long afterGlobalSequence, EventHandler handler);

    /**
     * Like {@link #query}, answered from the in-memory index alone: no payload is read and no file is touched.
     *
     * @throws InvalidQueryException as {@link #query}
     */
    List<IndexEntry> queryIndex(Region region, long afterGlobalSequence, int limit);

    /** Events of exactly this scope, paged like {@link #query}. */
    default List<StoredEvent> byScope(String scope, long afterGlobalSequence, int limit) {
        return query(Region.scope(scope), afterGlobalSequence, limit);
    }

    /** Events of exactly this kind, paged like {@link #query}. */
    default List<StoredEvent> byKind(EventKind kind, long afterGlobalSequence, int limit) {
        return query(Region.all().withKind(kind), afterGlobalSequence, limit);
    }

    /**
     * The entity registry ("list all streams"): names of entities with visible events, in name order; with a
     * {@code prefix} (null: all), only the entity {@code prefix} and its namespace ({@code prefix:...}). Pages start
     * after {@code afterEntity} (null: from the first), at most {@code limit} names.
     *
     * @throws InvalidQueryException when {@code limit} is negative
     */
    List<String> entities(String prefix, String afterEntity, int limit);

    /**
     * The tag registry, listed like {@link #entities}: tags carried by at least one visible event, in name order;
     * with a {@code prefix} (null: all), only the tag {@code prefix} and its namespace ({@code prefix:...}). Pages
     * start after {@code afterTag} (null: from the first), at most {@code limit} names.
     *
     * @throws InvalidQueryException when {@code limit} is negative
     */
    List<String> tags(String prefix, String afterTag, int limit);

    /**
     * The event with this id followed by its ancestors in its entity, newest first, at most {@code limit} events.
     * Each step follows the prevHash link to the entity's previous event and checks it: every returned event's frame
     * passed its CRC32C, its content hashes (BLAKE3) to its eventHash, and each event's prevHash equals the eventHash
     * of the next one in the list (the entity's first event has a zero prevHash). Empty when no visible event has
     * this id or {@code limit} is 0.
     *
     * @throws ChainBrokenException at the first event that fails a check, naming file, offset, event and reason and
     *     holding the events walked before it
     * @throws InvalidQueryException when {@code eventId} is null or {@code limit} is negative
     */
    List<StoredEvent> walkAncestors(EventId eventId, int limit);

    /**
     * Verifies every event visible when the call starts: recomputes every frame's CRC32C and BLAKE3 eventHash and
     * checks every segment header, global sequence (gap-free, in file order), atomic group, entity sequence
     * (gap-free), prevHash link and the index's view of each frame. Stops at the first break, which the report
     * names with file, offset and event. Appends continue meanwhile; events committed after the start are not
     * checked.
     */
    VerifyReport verify();

    /**
     * {@link #verify()}, telling {@code progress} how many events are checked after each segment.
     *
     * @throws InvalidQueryException when {@code progress} is null
     */
    VerifyReport verify(ProgressListener progress);

    /**
     * What the store holds now, from the in-memory index and a listing of its directory (no payload is read):
     * events, entities, tags, segments, first and last event, checkpoints and disk usage. A consistent snapshot of
     * the index is not promised while appends run: each figure is exact for some instant during the call.
     */
    StoreStatistics statistics();

    /**
     * Verifies one entity's visible events like {@link #verify()} without reading other entities' frames. An entity
     * without events verifies ok with 0 events.
     *
     * @throws InvalidQueryException when {@code entity} is null
     */
    VerifyReport verifyEntity(String entity);

    /**
     * Checks a receipt against the stored event (exists, coordinate, entity and global sequence, timestamp,
     * eventHash, and that the stored frame still hashes to it) and then its signature against the configured keys.
     * See {@link ReceiptVerification} for the outcomes and the rules for unsigned receipts.
     *
     * @throws InvalidQueryException when {@code receipt} is null
     */
    ReceiptVerification verifyReceipt(AppendReceipt receipt);

    /**
     * The receipt of a stored event, as its append returned it (signed with the newest signing key when the store
     * signs receipts).
     *
     * @throws InvalidQueryException when {@code event} is null
     */
    AppendReceipt receiptOf(StoredEvent event);
}
