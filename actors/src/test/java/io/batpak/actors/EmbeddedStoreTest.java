package io.batpak.actors;

import io.batpak.core.StoreConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of tests that open stores embedded in one ActorSystem per test class, in a fresh directory per test; every
 * store opened with {@link #open} is closed after its test.
 */
abstract class EmbeddedStoreTest {
    static ActorSystem<Void> system;

    @TempDir
    Path dir;

    final List<BatpakStore> opened = new ArrayList<>();

    @BeforeAll
    static void startSystem() {
        system = ActorSystem.create(Behaviors.empty(), "store-test");
    }

    @AfterAll
    static void stopSystem() {
        system.terminate();
        TestSupport.await(system.getWhenTerminated());
    }

    @AfterEach
    void closeStores() {
        for (int i = opened.size() - 1; i >= 0; i--) {
            TestSupport.closeStore(opened.get(i));
        }
        opened.clear();
    }

    BatpakStore open(StoreConfig config) {
        BatpakStore s = BatpakStore.open(config, system);
        opened.add(s);
        return s;
    }
}
