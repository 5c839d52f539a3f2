package io.batpak.cluster.persistence;

import com.typesafe.config.Config;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.persistence.query.ReadJournalProvider;

/**
 * The read journal plugin {@code batpak.cluster.persistence.query}: the Java {@link ClusterReadJournal}. Created by
 * Pekko; not for direct use. The Scala API is the same journal ({@code eventsByTag} as a javadsl source; use
 * {@code .asScala}).
 */
public final class ClusterReadJournalProvider implements ReadJournalProvider {
    private final ClusterReadJournal javadsl;

    public ClusterReadJournalProvider(ExtendedActorSystem system, Config config, String configPath) {
        this.javadsl = new ClusterReadJournal(system);
    }

    @Override
    public ClusterReadJournal javadslReadJournal() {
        return javadsl;
    }

    @Override
    public org.apache.pekko.persistence.query.scaladsl.ReadJournal scaladslReadJournal() {
        return new org.apache.pekko.persistence.query.scaladsl.ReadJournal() {
        };
    }
}
