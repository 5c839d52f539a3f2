package io.batpak.actors;

import io.batpak.core.StoreConfig;
import java.nio.file.Path;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of tests that open stores embedded in one ActorSystem per test class, in a fresh directory per test; every
 * store opened with {@link #open} is closed after its test.
 */
abstract class EmbeddedStoreTest {
    @RegisterExtension
    static final StoreTestKit kit = new StoreTestKit();

    static ActorSystem<Void> system;

    @TempDir
    Path dir;

    @BeforeAll
    static void useTheKitsSystem() {
        system = kit.system();
    }

    BatpakStore open(StoreConfig config) {
        return kit.open(config);
    }

    /** Closes every store this test opened, before the test's own teardown continues. */
    void closeStores() {
        kit.closeAll();
    }

    /** Stops closing {@code store} after the test (the test closed it itself). */
    void forget(BatpakStore store) {
        kit.untrack(store);
    }
}
