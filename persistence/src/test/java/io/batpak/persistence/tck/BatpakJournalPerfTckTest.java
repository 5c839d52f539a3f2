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

    /**
     * The spec's sequential {@code persist} cell waits for 10,000 forced writes; its 10 s default fails on a busy
     * machine although every write succeeds. The spec checks completion, not speed (that is the bench harness's job).
     */
    @Override
    public long awaitDurationMillis() {
        return 120_000;
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
