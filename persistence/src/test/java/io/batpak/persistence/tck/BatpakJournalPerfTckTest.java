package io.batpak.persistence.tck;

import java.nio.file.Path;
import org.apache.pekko.persistence.CapabilityFlag;
import org.apache.pekko.persistence.japi.journal.JavaJournalPerfSpec;
import org.junit.runner.RunWith;
import org.scalatestplus.junit.JUnitRunner;

/** Pekko's journal performance TCK against the batpak journal (its correctness checks; timings are printed). */
@RunWith(JUnitRunner.class)
public class BatpakJournalPerfTckTest extends JavaJournalPerfSpec {
    private static final Path DIR = TckStores.freshDir("journal-perf");

    public BatpakJournalPerfTckTest() {
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
