package io.batpak.persistence;

import com.typesafe.config.Config;
import io.batpak.actors.BatpakStore;
import io.batpak.core.Region;
import io.batpak.core.StoredEvent;
import io.batpak.persistence.internal.JournalIndex;
import io.batpak.persistence.internal.PekkoNames;
import io.batpak.persistence.internal.PersistentEventCodec;
import io.batpak.streams.BatpakStreams;
import io.batpak.streams.CursorSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.NoOffset;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByTagQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentLastSequenceNumberByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentPersistenceIdsQuery;
import org.apache.pekko.persistence.query.javadsl.EventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.EventsByTagQuery;
import org.apache.pekko.persistence.query.javadsl.PagedPersistenceIdsQuery;
import org.apache.pekko.persistence.query.javadsl.PersistenceIdsQuery;
import org.apache.pekko.persistence.query.javadsl.ReadJournal;
import org.apache.pekko.persistence.query.typed.javadsl.CurrentEventsBySliceQuery;
import org.apache.pekko.persistence.query.typed.javadsl.EventTimestampQuery;
import org.apache.pekko.persistence.query.typed.javadsl.EventsBySliceQuery;
import org.apache.pekko.persistence.query.typed.javadsl.LoadEventQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Source;
import scala.Option;
import scala.collection.immutable.Range;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The Java read journal of the batpak journal:
 * {@code PersistenceQuery.get(system).getReadJournalFor(BatpakReadJournal.class, "batpak.persistence.query")}.
 *
 * <h2>Offsets</h2>
 * Every envelope's offset is {@code Sequence(globalSequence)}: the event's batpak global sequence, gap-free and in
 * commit order across the whole store. A query started with an offset returns the events <em>after</em> it (so
 * the last envelope's offset resumes where a stream stopped); {@code NoOffset} starts at the first event. Other
 * offset types fail the query with {@link IllegalArgumentException}.
 *
 * <h2>Delivery</h2>
 * Live queries read the history from the index and then follow appends as soon as they are visible (woken by the
 * store's fan-out, no polling), with no gap and no duplicate at the switch; {@code current...} queries complete
 * at the store's head when they started. Every query is demand-driven and holds at most {@code batch-size}
 * events; each is answered from a posting list (the persistence id's entity, the tag, the entity type's scope),
 * never from a scan of the store. Events hidden by {@code deleteMessagesTo} are not returned. Within one query,
 * events arrive in global-sequence order, which for one persistence id is its sequence-number order.
 *
 * <p>Thread-safe; sources may be materialized any number of times.
 */
public final class BatpakReadJournal implements ReadJournal, EventsByPersistenceIdQuery,
        CurrentEventsByPersistenceIdQuery, EventsByTagQuery, CurrentEventsByTagQuery, PersistenceIdsQuery,
        CurrentPersistenceIdsQuery, PagedPersistenceIdsQuery, CurrentLastSequenceNumberByPersistenceIdQuery,
        EventsBySliceQuery, CurrentEventsBySliceQuery, EventTimestampQuery, LoadEventQuery {
    /** The plugin id of the read journal's configuration. */
    public static final String IDENTIFIER = "batpak.persistence.query";

    private final ExtendedActorSystem system;
    private final BatpakStore store;
    private final JournalIndex index;
    private final PersistentEventCodec codec;
    private final Persistence persistence;
    private final int batchSize;
    private final Executor blocking;

    BatpakReadJournal(ExtendedActorSystem system, Config config) {
        BatpakPersistence p = BatpakPersistence.get(system);
        this.system = system;
        this.store = p.store();
        this.index = p.index();
        this.codec = p.codec();
        this.persistence = Persistence.get(system);
        this.batchSize = config.getInt("batch-size");
        this.blocking = system.dispatchers().lookup(config.getString("blocking-dispatcher"));
    }

    // ------------------------------------------------------------------ by persistence id

    /**
     * The events of {@code persistenceId} with sequence numbers in [{@code fromSequenceNr},
     * {@code toSequenceNr}], then live ones until {@code toSequenceNr}; completes once it emitted
     * {@code toSequenceNr} or passed it.
     */
    @Override
    public Source<EventEnvelope, NotUsed> eventsByPersistenceId(String persistenceId, long fromSequenceNr,
                                                                long toSequenceNr) {
        return byPersistenceId(persistenceId, fromSequenceNr, toSequenceNr, false);
    }

    /** Like {@link #eventsByPersistenceId}, completing at the events stored when it started. */
    @Override
    public Source<EventEnvelope, NotUsed> currentEventsByPersistenceId(String persistenceId, long fromSequenceNr,
                                                                       long toSequenceNr) {
        return byPersistenceId(persistenceId, fromSequenceNr, toSequenceNr, true);
    }

    private Source<EventEnvelope, NotUsed> byPersistenceId(String persistenceId, long from, long to,
                                                           boolean current) {
        requirePersistenceId(persistenceId);
        if (from > to) {
            return Source.empty();
        }
        String entity = PekkoNames.entity(persistenceId);
        return deferred(() -> {
            long start = Math.max(from, 1);
            long first = index.entitySequenceOf(entity, start);
            Region region = Region.entity(entity).withKind(PekkoNames.EVENT_KIND)
                    .withSequenceRange(first, Long.MAX_VALUE);
            return cursor(region, -1, current)
                    .map(e -> new Keyed(e, PersistentEventCodec.sequenceNr(e)))
                    .takeWhile(k -> k.sequenceNr <= to)
                    .filter(k -> k.sequenceNr >= start && k.sequenceNr > index.deletedTo(entity))
                    .map(k -> envelope(k.event))
                    .takeWhile(env -> env.sequenceNr() < to, true);
        });
    }

    private record Keyed(StoredEvent event, long sequenceNr) {
    }

    // ------------------------------------------------------------------ by tag

    /** The events tagged {@code tag} after {@code offset}, then live ones, in global-sequence order. */
    @Override
    public Source<EventEnvelope, NotUsed> eventsByTag(String tag, Offset offset) {
        return byTag(tag, offset, false);
    }

    /** Like {@link #eventsByTag}, completing at the events stored when it started. */
    @Override
    public Source<EventEnvelope, NotUsed> currentEventsByTag(String tag, Offset offset) {
        return byTag(tag, offset, true);
    }

    private Source<EventEnvelope, NotUsed> byTag(String tag, Offset offset, boolean current) {
        if (tag == null || tag.isEmpty()) {
            throw new IllegalArgumentException("tag must be a non-empty string");
        }
        long after = after(offset);
        return cursor(Region.tag(PekkoNames.tag(tag)).withKind(PekkoNames.EVENT_KIND), after, current)
                .filter(this::notDeleted)
                .map(this::envelope);
    }

    // ------------------------------------------------------------------ persistence ids

    /** Every persistence id of the journal, then each new one as its first event is stored; each once. */
    @Override
    public Source<String, NotUsed> persistenceIds() {
        return deferred(() -> {
            long head = store.lastGlobalSequence();
            Region firsts = Region.all().withKind(PekkoNames.EVENT_KIND).withSequenceRange(0, 0);
            return ids(null, head).concat(cursor(firsts, head, false)
                    .map(e -> PekkoNames.persistenceId(e.coordinate().entity())));
        });
    }

    /** Every persistence id of the journal, in stored-name order. */
    @Override
    public Source<String, NotUsed> currentPersistenceIds() {
        return ids(null, -1);
    }

    /**
     * At most {@code limit} persistence ids after {@code afterId}, in the order of {@link #currentPersistenceIds()}
     * (pass the last id of a page to get the next one).
     */
    @Override
    public Source<String, NotUsed> currentPersistenceIds(Optional<String> afterId, long limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, was " + limit);
        }
        return ids(afterId.map(PekkoNames::entity).orElse(null), -1).take(limit);
    }

    /** Journal entities after {@code after} (null: all), whose first event is at or before {@code head} (-1: any). */
    private Source<String, NotUsed> ids(String after, long head) {
        return Source.unfoldAsync(Optional.ofNullable(after), (Optional<String> from) ->
                        CompletableFuture.supplyAsync(() -> idPage(from.orElse(null), head), blocking))
                .mapConcat(ids -> ids);
    }

    private Optional<Pair<Optional<String>, List<String>>> idPage(String after, long head) {
        List<String> entities = store.entities(null, after, batchSize);
        if (entities.isEmpty()) {
            return Optional.empty();
        }
        List<String> ids = new ArrayList<>(entities.size());
        for (String entity : entities) {
            if (index.isJournalEntity(entity, head)) {
                ids.add(PekkoNames.persistenceId(entity));
            }
        }
        return Optional.of(Pair.create(Optional.of(entities.get(entities.size() - 1)), ids));
    }

    /** The highest sequence number stored for {@code persistenceId} (deletions do not lower it), empty if none. */
    @Override
    public CompletionStage<Optional<Long>> currentLastSequenceNumberByPersistenceId(String persistenceId) {
        requirePersistenceId(persistenceId);
        String entity = PekkoNames.entity(persistenceId);
        return CompletableFuture.supplyAsync(() -> {
            long highest = index.highestSequenceNr(entity);
            return highest == 0 ? Optional.<Long>empty() : Optional.of(highest);
        }, blocking);
    }

    // ------------------------------------------------------------------ slices

    /**
     * The events of entity type {@code entityType} whose persistence id's slice is in [{@code minSlice},
     * {@code maxSlice}], after {@code offset}, then live ones. The entity type's events are read from its scope's
     * posting list; other types are never read.
     */
    @Override
    public <E> Source<org.apache.pekko.persistence.query.typed.EventEnvelope<E>, NotUsed> eventsBySlices(
            String entityType, int minSlice, int maxSlice, Offset offset) {
        return bySlices(entityType, minSlice, maxSlice, offset, false);
    }

    /** Like {@link #eventsBySlices}, completing at the events stored when it started. */
    @Override
    public <E> Source<org.apache.pekko.persistence.query.typed.EventEnvelope<E>, NotUsed> currentEventsBySlices(
            String entityType, int minSlice, int maxSlice, Offset offset) {
        return bySlices(entityType, minSlice, maxSlice, offset, true);
    }

    private <E> Source<org.apache.pekko.persistence.query.typed.EventEnvelope<E>, NotUsed> bySlices(
            String entityType, int minSlice, int maxSlice, Offset offset, boolean current) {
        if (entityType == null) {
            throw new IllegalArgumentException("entityType must not be null");
        }
        if (minSlice < 0 || maxSlice < minSlice || maxSlice >= persistence.numberOfSlices()) {
            throw new IllegalArgumentException("slice range " + minSlice + ".." + maxSlice + " is not within 0.."
                    + (persistence.numberOfSlices() - 1));
        }
        long after = after(offset);
        return cursor(Region.scope(PekkoNames.scope(entityType)).withKind(PekkoNames.EVENT_KIND), after, current)
                .filter(e -> {
                    int slice = persistence.sliceForPersistenceId(PekkoNames.persistenceId(e.coordinate().entity()));
                    return slice >= minSlice && slice <= maxSlice && notDeleted(e);
                })
                .map(this::typedEnvelope);
    }

    @Override
    public int sliceForPersistenceId(String persistenceId) {
        return persistence.sliceForPersistenceId(persistenceId);
    }

    @Override
    public List<Pair<Integer, Integer>> sliceRanges(int numberOfRanges) {
        List<Pair<Integer, Integer>> out = new ArrayList<>(numberOfRanges);
        for (Range r : CollectionConverters.asJava(persistence.sliceRanges(numberOfRanges))) {
            out.add(Pair.create(r.min(scala.math.Ordering.Int$.MODULE$), r.max(scala.math.Ordering.Int$.MODULE$)));
        }
        return out;
    }

    /** The time the event was stored (its Pekko timestamp), empty when there is no such (undeleted) event. */
    @Override
    public CompletionStage<Optional<Instant>> timestampOf(String persistenceId, long sequenceNr) {
        requirePersistenceId(persistenceId);
        String entity = PekkoNames.entity(persistenceId);
        return CompletableFuture.supplyAsync(() -> {
            StoredEvent e = index.find(entity, sequenceNr);
            return e == null ? Optional.<Instant>empty()
                    : Optional.of(Instant.ofEpochMilli(codec.decodeParts(e).timestamp()));
        }, blocking);
    }

    /**
     * The envelope of one event; fails with {@link java.util.NoSuchElementException} when there is no such
     * (undeleted) event.
     */
    @Override
    public <E> CompletionStage<org.apache.pekko.persistence.query.typed.EventEnvelope<E>> loadEnvelope(
            String persistenceId, long sequenceNr) {
        requirePersistenceId(persistenceId);
        String entity = PekkoNames.entity(persistenceId);
        return CompletableFuture.supplyAsync(() -> {
            StoredEvent e = index.find(entity, sequenceNr);
            if (e == null) {
                throw new java.util.NoSuchElementException("no event " + sequenceNr + " of " + persistenceId);
            }
            return typedEnvelope(e);
        }, blocking);
    }

    // ------------------------------------------------------------------ shared

    private boolean notDeleted(StoredEvent e) {
        long deleted = index.deletedTo(e.coordinate().entity());
        return deleted == 0 || PersistentEventCodec.sequenceNr(e) > deleted;
    }

    private EventEnvelope envelope(StoredEvent e) {
        PersistentEventCodec.Decoded d = codec.decodeParts(e);
        return new EventEnvelope(Sequence.apply(e.globalSequence()), d.persistenceId(), d.sequenceNr(), d.event(),
                d.timestamp(), Option.apply(d.metadata().orElse(null)));
    }

    @SuppressWarnings("unchecked")
    private <E> org.apache.pekko.persistence.query.typed.EventEnvelope<E> typedEnvelope(StoredEvent e) {
        PersistentEventCodec.Decoded d = codec.decodeParts(e);
        return new org.apache.pekko.persistence.query.typed.EventEnvelope<>(Sequence.apply(e.globalSequence()),
                d.persistenceId(), d.sequenceNr(), Option.apply((E) d.event()), d.timestamp(),
                Option.apply(d.metadata().orElse(null)), PersistenceId.extractEntityType(d.persistenceId()),
                persistence.sliceForPersistenceId(d.persistenceId()));
    }

    private Source<StoredEvent, NotUsed> cursor(Region region, long after, boolean current) {
        CursorSettings settings = CursorSettings.create(system).withBatchSize(batchSize).afterSequence(after)
                .withCompleteAtHead(current);
        return BatpakStreams.cursor(store, region, settings).mapMaterializedValue(c -> NotUsed.getInstance());
    }

    /** A source built on a thread that may block (its start position needs index and frame reads). */
    private <T> Source<T, NotUsed> deferred(Supplier<Source<T, NotUsed>> build) {
        return Source.completionStageSource(CompletableFuture.supplyAsync(build, blocking))
                .mapMaterializedValue(m -> NotUsed.getInstance());
    }

    /** The global sequence a query starts after. */
    static long after(Offset offset) {
        if (offset == null || offset == NoOffset.getInstance()) {
            return -1;
        }
        if (offset instanceof Sequence s) {
            if (s.value() < -1) {
                throw new IllegalArgumentException("offset " + s + " is below Sequence(-1)");
            }
            return s.value();
        }
        throw new IllegalArgumentException("the batpak read journal takes NoOffset or Sequence offsets (a batpak "
                + "global sequence), not " + offset.getClass().getSimpleName());
    }

    private static void requirePersistenceId(String persistenceId) {
        if (persistenceId == null || persistenceId.isEmpty()) {
            throw new IllegalArgumentException("persistenceId must be a non-empty string");
        }
    }

    BatpakStore store() {
        return store;
    }

}
