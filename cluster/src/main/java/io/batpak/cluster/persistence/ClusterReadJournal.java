package io.batpak.cluster.persistence;

import io.batpak.cluster.BatpakCluster;
import io.batpak.cluster.ClusterEvent;
import io.batpak.cluster.ClusterPosition;
import io.batpak.core.Region;
import io.batpak.core.error.InvalidInputException;
import io.batpak.persistence.BatpakPersistence;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.NoOffset;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByTagQuery;
import org.apache.pekko.persistence.query.javadsl.EventsByTagQuery;
import org.apache.pekko.persistence.query.javadsl.ReadJournal;
import org.apache.pekko.stream.javadsl.Source;
import scala.Option;

/**
 * The read journal of Pekko Persistence in cluster mode ({@code batpak.cluster.persistence.query}), usable on any
 * node: {@code eventsByTag} and {@code currentEventsByTag} across every partition of the cluster store, through
 * {@link BatpakCluster#cursor(Region, ClusterPosition)}. Each partition's events come in their order (so each
 * persistence id's in sequence-number order), partitions interleaved as they arrive; each envelope's offset is a
 * {@link ClusterOffset}, the position vector after it, from which the query resumes without a gap or a duplicate.
 * The live query follows new events and resumes by itself when a partition's owner restarts. Deletions
 * ({@code deleteMessagesTo}) are not applied here: deleted events still appear until compaction removes them.
 *
 * <pre>{@code
 * ClusterReadJournal q = PersistenceQuery.get(system)
 *         .getReadJournalFor(ClusterReadJournal.class, ClusterReadJournal.IDENTIFIER);
 * }</pre>
 */
public final class ClusterReadJournal implements ReadJournal, EventsByTagQuery, CurrentEventsByTagQuery {
    /** The plugin id of this read journal. */
    public static final String IDENTIFIER = "batpak.cluster.persistence.query";

    private final BatpakCluster cluster;
    private final BatpakPersistence persistence;

    public ClusterReadJournal(ExtendedActorSystem system) {
        this.cluster = BatpakCluster.get(Adapter.toTyped(system));
        this.persistence = BatpakPersistence.get(system);
    }

    @Override
    public Source<EventEnvelope, NotUsed> eventsByTag(String tag, Offset offset) {
        return byTag(tag, offset, true);
    }

    @Override
    public Source<EventEnvelope, NotUsed> currentEventsByTag(String tag, Offset offset) {
        return byTag(tag, offset, false);
    }

    private Source<EventEnvelope, NotUsed> byTag(String tag, Offset offset, boolean live) {
        InvalidInputException.requireArgument(tag, "tag");
        ClusterPosition from = start(offset);
        Region region = Region.tag(BatpakPersistence.tagOf(tag)).withKind(BatpakPersistence.EVENT_KIND);
        Source<ClusterEvent, NotUsed> events = live ? cluster.cursor(region, from) : cluster.replay(region, from);
        return events.map(this::envelope);
    }

    private ClusterPosition start(Offset offset) {
        if (offset == null || offset == NoOffset.getInstance()) {
            return ClusterPosition.start(cluster.partitions());
        }
        if (offset instanceof ClusterOffset c) {
            return c.position();
        }
        throw new IllegalArgumentException("the batpak cluster read journal takes NoOffset or a ClusterOffset, not "
                + offset);
    }

    private EventEnvelope envelope(ClusterEvent e) {
        PersistentRepr repr = persistence.persistentRepr(e.event());
        return new EventEnvelope(new ClusterOffset(e.position()), repr.persistenceId(), repr.sequenceNr(),
                repr.payload(), repr.timestamp(), repr.metadata());
    }
}
