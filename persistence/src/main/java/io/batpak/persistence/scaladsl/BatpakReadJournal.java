package io.batpak.persistence.scaladsl;

import org.apache.pekko.NotUsed;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.scaladsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.scaladsl.CurrentEventsByTagQuery;
import org.apache.pekko.persistence.query.scaladsl.CurrentLastSequenceNumberByPersistenceIdQuery;
import org.apache.pekko.persistence.query.scaladsl.CurrentPersistenceIdsQuery;
import org.apache.pekko.persistence.query.scaladsl.EventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.scaladsl.EventsByTagQuery;
import org.apache.pekko.persistence.query.scaladsl.PagedPersistenceIdsQuery;
import org.apache.pekko.persistence.query.scaladsl.PersistenceIdsQuery;
import org.apache.pekko.persistence.query.scaladsl.ReadJournal;
import org.apache.pekko.persistence.query.typed.scaladsl.CurrentEventsBySliceQuery;
import org.apache.pekko.persistence.query.typed.scaladsl.EventTimestampQuery;
import org.apache.pekko.persistence.query.typed.scaladsl.EventsBySliceQuery;
import org.apache.pekko.persistence.query.typed.scaladsl.LoadEventQuery;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.stream.scaladsl.Source;
import scala.Option;
import scala.collection.immutable.Range;
import scala.collection.immutable.Seq;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;
import scala.jdk.javaapi.OptionConverters;

/**
 * The Scala read journal of the batpak journal, for Scala code and for Pekko's own Scala users of the read side
 * (Replicated Event Sourcing reads other replicas through it):
 * {@code PersistenceQuery(system).readJournalFor[BatpakReadJournal]("batpak.persistence.query")}. Every query is
 * {@link io.batpak.persistence.BatpakReadJournal}'s, with the same offsets, ordering and delivery. Thread-safe.
 */
public final class BatpakReadJournal implements ReadJournal, EventsByPersistenceIdQuery,
        CurrentEventsByPersistenceIdQuery, EventsByTagQuery, CurrentEventsByTagQuery, PersistenceIdsQuery,
        CurrentPersistenceIdsQuery, PagedPersistenceIdsQuery, CurrentLastSequenceNumberByPersistenceIdQuery,
        EventsBySliceQuery, CurrentEventsBySliceQuery, EventTimestampQuery, LoadEventQuery {
    private final io.batpak.persistence.BatpakReadJournal java;
    private final Persistence persistence;

    /** Wraps the Java read journal. */
    public BatpakReadJournal(io.batpak.persistence.BatpakReadJournal java, Persistence persistence) {
        this.java = java;
        this.persistence = persistence;
    }

    @Override
    public Source<EventEnvelope, NotUsed> eventsByPersistenceId(String persistenceId, long fromSequenceNr,
                                                                long toSequenceNr) {
        return java.eventsByPersistenceId(persistenceId, fromSequenceNr, toSequenceNr).asScala();
    }

    @Override
    public Source<EventEnvelope, NotUsed> currentEventsByPersistenceId(String persistenceId, long fromSequenceNr,
                                                                       long toSequenceNr) {
        return java.currentEventsByPersistenceId(persistenceId, fromSequenceNr, toSequenceNr).asScala();
    }

    @Override
    public Source<EventEnvelope, NotUsed> eventsByTag(String tag, Offset offset) {
        return java.eventsByTag(tag, offset).asScala();
    }

    @Override
    public Source<EventEnvelope, NotUsed> currentEventsByTag(String tag, Offset offset) {
        return java.currentEventsByTag(tag, offset).asScala();
    }

    @Override
    public Source<String, NotUsed> persistenceIds() {
        return java.persistenceIds().asScala();
    }

    @Override
    public Source<String, NotUsed> currentPersistenceIds() {
        return java.currentPersistenceIds().asScala();
    }

    @Override
    public Source<String, NotUsed> currentPersistenceIds(Option<String> afterId, long limit) {
        return java.currentPersistenceIds(OptionConverters.toJava(afterId), limit).asScala();
    }

    @Override
    public Future<Option<Object>> currentLastSequenceNumberByPersistenceId(String persistenceId) {
        return FutureConverters.asScala(java.currentLastSequenceNumberByPersistenceId(persistenceId)
                .thenApply(o -> Option.apply((Object) o.orElse(null))));
    }

    @Override
    public <E> Source<org.apache.pekko.persistence.query.typed.EventEnvelope<E>, NotUsed> eventsBySlices(
            String entityType, int minSlice, int maxSlice, Offset offset) {
        return java.<E>eventsBySlices(entityType, minSlice, maxSlice, offset).asScala();
    }

    @Override
    public <E> Source<org.apache.pekko.persistence.query.typed.EventEnvelope<E>, NotUsed> currentEventsBySlices(
            String entityType, int minSlice, int maxSlice, Offset offset) {
        return java.<E>currentEventsBySlices(entityType, minSlice, maxSlice, offset).asScala();
    }

    @Override
    public int sliceForPersistenceId(String persistenceId) {
        return persistence.sliceForPersistenceId(persistenceId);
    }

    @Override
    public Seq<Range> sliceRanges(int numberOfRanges) {
        return persistence.sliceRanges(numberOfRanges);
    }

    @Override
    public Future<Option<java.time.Instant>> timestampOf(String persistenceId, long sequenceNr) {
        return FutureConverters.asScala(java.timestampOf(persistenceId, sequenceNr).thenApply(OptionConverters::toScala));
    }

    @Override
    public <E> Future<org.apache.pekko.persistence.query.typed.EventEnvelope<E>> loadEnvelope(String persistenceId,
                                                                                             long sequenceNr) {
        return FutureConverters.asScala(java.<E>loadEnvelope(persistenceId, sequenceNr));
    }
}
