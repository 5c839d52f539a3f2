package io.batpak.persistence;

import com.typesafe.config.Config;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.query.ReadJournalProvider;

/**
 * The read journal plugin ({@code batpak.persistence.query.class}): gives Pekko Persistence Query the Java
 * ({@link BatpakReadJournal}) and Scala ({@link io.batpak.persistence.scaladsl.BatpakReadJournal}) read journals
 * over the store of {@link BatpakPersistence}. Created by Pekko; not for direct use.
 */
public final class BatpakReadJournalProvider implements ReadJournalProvider {
    private final BatpakReadJournal javadsl;
    private final io.batpak.persistence.scaladsl.BatpakReadJournal scaladsl;

    /** Created by Pekko Persistence Query with the plugin's configuration. */
    public BatpakReadJournalProvider(ExtendedActorSystem system, Config config, String configPath) {
        this.javadsl = new BatpakReadJournal(system, config);
        this.scaladsl = new io.batpak.persistence.scaladsl.BatpakReadJournal(javadsl, Persistence.get(system));
    }

    @Override
    public io.batpak.persistence.scaladsl.BatpakReadJournal scaladslReadJournal() {
        return scaladsl;
    }

    @Override
    public BatpakReadJournal javadslReadJournal() {
        return javadsl;
    }
}
