package io.batpak.persistence.tck;

import java.nio.file.Path;
import org.apache.pekko.persistence.CapabilityFlag;
import org.apache.pekko.persistence.japi.snapshot.JavaSnapshotStoreSpec;
import org.junit.runner.RunWith;
import org.scalatestplus.junit.JUnitRunner;

/** Pekko's snapshot store TCK against the batpak snapshot store (LMDB), with metadata support on. */
@RunWith(JUnitRunner.class)
public class BatpakSnapshotStoreTckTest extends JavaSnapshotStoreSpec {
    private static final Path DIR = TckStores.freshDir("snapshot");

    public BatpakSnapshotStoreTckTest() {
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
