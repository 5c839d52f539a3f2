package io.batpak.actors;

import io.batpak.actors.internal.ActorFaultHook;
import io.batpak.core.StoreConfig;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The one test fixture for stores in an ActorSystem: one {@link ActorTestKit} per test class, stores opened in it
 * with {@link #open}, and every store a test opened closed after the test (newest first), so a failing test never
 * leaves a directory locked for the next one. Register it as
 * {@code @RegisterExtension static final StoreTestKit kit = new StoreTestKit();}.
 */
public final class StoreTestKit implements BeforeAllCallback, AfterAllCallback, AfterEachCallback {
    private ActorTestKit testKit;
    private final List<BatpakStore> opened = new ArrayList<>();

    @Override
    public void beforeAll(ExtensionContext context) {
        // Logging starts before the system's threads log at once (else SLF4J replays their first calls, noisily).
        org.slf4j.LoggerFactory.getILoggerFactory();
        testKit = ActorTestKit.create();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        testKit.shutdownTestKit();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        closeAll();
    }

    /** Closes every store opened since the last call, newest first (a test's own teardown may need it earlier). */
    public void closeAll() {
        for (int i = opened.size() - 1; i >= 0; i--) {
            TestSupport.closeStore(opened.get(i));
        }
        opened.clear();
    }

    /** The shared test kit (probes, spawning). */
    public ActorTestKit testKit() {
        return testKit;
    }

    public ActorSystem<Void> system() {
        return testKit.system();
    }

    /** Opens a store in the shared system; it is closed after the test. */
    public BatpakStore open(StoreConfig config) {
        return track(BatpakStore.open(config, testKit.system()));
    }

    /** Opens a store whose actors run {@code faults} before each message; closed after the test. */
    BatpakStore openWithFaults(StoreConfig config, ActorFaultHook faults) {
        return track(BatpakStore.openWithFaults(config, testKit.system(), faults));
    }

    /** Closes a store now and stops tracking it. */
    public void close(BatpakStore store) {
        opened.remove(store);
        TestSupport.closeStore(store);
    }

    /** Stops closing {@code store} after the test. */
    public void untrack(BatpakStore store) {
        opened.remove(store);
    }

    private BatpakStore track(BatpakStore s) {
        opened.add(s);
        return s;
    }
}
