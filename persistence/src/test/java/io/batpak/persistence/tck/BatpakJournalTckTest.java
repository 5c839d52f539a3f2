package io.batpak.persistence.tck;

import java.nio.file.Path;
import org.apache.pekko.persistence.CapabilityFlag;
import org.apache.pekko.persistence.japi.journal.JavaJournalSpec;
import org.junit.runner.RunWith;
import org.scalatestplus.junit.JUnitRunner;

/** Pekko's journal TCK against the batpak journal, with metadata support on. */
@RunWith(JUnitRunner.class)
public class BatpakJournalTckTest extends JavaJournalSpec {
    private static final Path DIR = TckStores.freshDir("journal");

    public BatpakJournalTckTest() {
        super(TckStores.config(DIR));
    }

    @Override
    public CapabilityFlag supportsMetadata() {
        return CapabilityFlag.on();
    }

    @Override
    public void afterAll() {
        super.afterAll();
        TckStores.delete(DIR);
    }
}
