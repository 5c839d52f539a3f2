package io.batpak.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.AppendReceipt;
import io.batpak.core.Coordinate;
import io.batpak.core.EventId;
import io.batpak.core.EventKind;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.StoreLockedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** The directory lock between processes: held by a store in another JVM, released by close and by the OS on kill. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@Tag("crash")
class LockChildProcessTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;

    private static StoreConfig config(Path dir) {
        return StoreConfig.builder(dir).build();
    }

    private static void close(BatpakStore store) throws Exception {
        store.closeAsync().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @Test
    void storeHeldByAnotherProcessIsLockedUntilThatProcessIsKilled() throws Exception {
        Path dir = tmp.resolve("store");
        EventId childEvent;
        try (ChildJvm child = ChildJvm.start(LockHolder.class, tmp.resolve("holder.log"), "hold", dir.toString())) {
            String locked = child.awaitLine(l -> l.startsWith("LOCKED "), TIMEOUT, null);
            childEvent = EventId.parse(locked.substring("LOCKED ".length()).trim());

            StoreLockedException e = assertThrows(StoreLockedException.class, () -> BatpakStore.open(config(dir)));
            assertEquals(dir, e.directory());
            assertTrue(e.getMessage().contains(dir.toString()), "message names the directory: " + e.getMessage());
            // A refused open leaves nothing behind: trying again is refused the same way.
            assertThrows(StoreLockedException.class, () -> BatpakStore.open(config(dir)));

            assertEquals(137, child.kill(TIMEOUT), "child killed with SIGKILL");
        }
        // The OS released the dead process's lock: the store opens and holds what the child appended.
        BatpakStore store = BatpakStore.open(config(dir));
        try {
            Optional<StoredEvent> e = store.get(childEvent);
            assertTrue(e.isPresent(), "the child's acknowledged event survives the kill");
            assertEquals("lock-holder", e.get().coordinate().entity());
            AppendReceipt r = store.append(Coordinate.of("lock-holder", "lock"), EventKind.of(1, 1), new byte[] {4})
                    .toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertEquals(1, r.entitySequence());
        } finally {
            close(store);
        }
    }

    @Test
    void anotherProcessCannotOpenAStoreThisProcessHolds() throws Exception {
        Path dir = tmp.resolve("store");
        BatpakStore store = BatpakStore.open(config(dir));
        try (ChildJvm child = ChildJvm.start(LockHolder.class, tmp.resolve("try-1.log"), "try", dir.toString())) {
            String result = child.awaitLine(l -> l.startsWith("RESULT "), TIMEOUT, null);
            String[] f = result.split(" ", 3);
            assertEquals(StoreLockedException.class.getName(), f[1], "exception the child got: " + result
                    + "\n" + child.stderrTail());
            assertTrue(f.length == 3 && f[2].contains(dir.toString()), "message names the directory: " + result);
            assertTrue(child.process().waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "child exits");
            assertEquals(0, child.process().exitValue());
        } finally {
            close(store);
        }
        // Once closed here, the other process can open it.
        try (ChildJvm child = ChildJvm.start(LockHolder.class, tmp.resolve("try-2.log"), "try", dir.toString())) {
            String result = child.awaitLine(l -> l.startsWith("RESULT "), TIMEOUT, null);
            assertEquals("RESULT OPENED", result, child.stderrTail());
            assertTrue(child.process().waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "child exits");
        }
    }

    @Test
    void closeInAnotherProcessReleasesTheLock() throws Exception {
        Path dir = tmp.resolve("store");
        try (ChildJvm child = ChildJvm.start(LockHolder.class, tmp.resolve("holder.log"), "hold", dir.toString())) {
            child.awaitLine(l -> l.startsWith("LOCKED "), TIMEOUT, null);
            assertThrows(StoreLockedException.class, () -> BatpakStore.open(config(dir)));
            child.send("close");
            child.awaitLine(l -> l.equals("CLOSED"), TIMEOUT, null);
            assertTrue(child.process().waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "child exits after close");
            assertEquals(0, child.process().exitValue(), child.stderrTail());
        }
        BatpakStore store = BatpakStore.open(config(dir));
        try {
            assertEquals(0, store.lastGlobalSequence());
        } finally {
            close(store);
        }
    }
}
