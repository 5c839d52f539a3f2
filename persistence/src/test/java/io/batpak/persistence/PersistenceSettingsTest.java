package io.batpak.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.batpak.core.error.InvalidConfigException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PersistenceSettingsTest {
    @Test
    void defaultsComeFromReferenceConf() {
        PersistenceSettings s = PersistenceSettings.fromConfig(ConfigFactory.load());
        assertEquals(Path.of("data/pekko"), s.dir());
        assertEquals(256, s.replayBatchSize());
        assertEquals(256, s.queryBatchSize());
        assertEquals(64L << 20, s.snapshotInitialMapSize());
        assertEquals(Path.of("data/pekko/snapshots"), s.snapshotDir());
        assertEquals(Path.of("elsewhere"), PersistenceSettings.fromConfig(ConfigFactory.parseString(
                "batpak.persistence.snapshot.dir = elsewhere").withFallback(ConfigFactory.load())).snapshotDir());
        assertEquals("io.batpak.persistence.BatpakJournal",
                ConfigFactory.load().getString("batpak.persistence.journal.class"));
        assertEquals("io.batpak.persistence.BatpakSnapshotStore",
                ConfigFactory.load().getString("batpak.persistence.snapshot.class"));
        assertEquals("io.batpak.persistence.BatpakReadJournalProvider",
                ConfigFactory.load().getString("batpak.persistence.query.class"));
    }

    @Test
    void aBadValueNamesItsSetting() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> PersistenceSettings.fromConfig(
                ConfigFactory.parseString("batpak.persistence.replay-batch-size = 0").withFallback(ConfigFactory.load())));
        assertTrue(e.getMessage().contains("batpak.persistence.replay-batch-size"), e.getMessage());
        InvalidConfigException missing = assertThrows(InvalidConfigException.class, () -> PersistenceSettings
                .fromConfig(ConfigFactory.parseString("batpak.persistence.replay-batch-size = many")
                        .withFallback(ConfigFactory.load())));
        assertTrue(missing.getMessage().contains("replay-batch-size"), missing.getMessage());
        assertThrows(InvalidConfigException.class, () -> PersistenceSettings.fromConfig(ConfigFactory.load())
                .withReplayBatchSize(-1));
    }
}
