package io.batpak.actors;

import static io.batpak.actors.TestSupport.KIND;
import static io.batpak.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.Coordinate;
import io.batpak.core.StoreConfig;
import io.batpak.core.error.StoreLockedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The directory lock as seen from inside one process. */
class LockTest {
    @TempDir
    Path dir;

    @TempDir
    Path scratch;

    @Test
    void secondOpenWhileOpenFailsAndOpenWorksAfterClose() {
        StoreConfig config = StoreConfig.builder(dir).build();
        BatpakStore first = BatpakStore.open(config);
        try {
            await(first.append(Coordinate.of("e", "s"), KIND, "x"));
            StoreLockedException e = assertThrows(StoreLockedException.class, () -> BatpakStore.open(config));
            assertEquals(dir, e.directory());
            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());

            // Also when embedding into an existing system; the failed open leaves that system alone.
            ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "lock-test");
            try {
                assertThrows(StoreLockedException.class, () -> BatpakStore.open(config, system));
                assertTrue(!system.getWhenTerminated().toCompletableFuture().isDone());
            } finally {
                system.terminate();
                await(system.getWhenTerminated());
            }
            // The failed attempts did not disturb the open store.
            assertEquals(1, await(first.append(Coordinate.of("e", "s"), KIND, "y")).entitySequence());
        } finally {
            TestSupport.closeStore(first);
        }
        BatpakStore again = BatpakStore.open(config);
        try {
            assertEquals(1, again.lastGlobalSequence());
            assertEquals(2, await(again.append(Coordinate.of("e", "s"), KIND, "z")).entitySequence());
        } finally {
            TestSupport.closeStore(again);
        }
    }

    @Test
    void storesInDifferentDirectoriesDoNotBlockEachOther() {
        BatpakStore a = BatpakStore.open(StoreConfig.builder(dir.resolve("a")).build());
        try {
            BatpakStore b = BatpakStore.open(StoreConfig.builder(dir.resolve("b")).build());
            try {
                assertEquals(0, await(a.append(Coordinate.of("e", "s"), KIND, "a")).globalSequence());
                assertEquals(0, await(b.append(Coordinate.of("e", "s"), KIND, "b")).globalSequence());
            } finally {
                TestSupport.closeStore(b);
            }
        } finally {
            TestSupport.closeStore(a);
        }
    }

    /**
     * A refused second open in this process must not drop the operating-system lock the first store holds: another
     * process must still find the directory locked.
     */
    @Test
    void refusedSecondOpenKeepsTheDirectoryLockedForOtherProcesses() throws Exception {
        StoreConfig config = StoreConfig.builder(dir).build();
        BatpakStore first = BatpakStore.open(config);
        try {
            assertEquals("LOCKED", probeFromOtherProcess(), "an open store locks its directory");
            assertThrows(StoreLockedException.class, () -> BatpakStore.open(config));
            assertThrows(StoreLockedException.class, () -> BatpakStore.open(config));
            assertEquals("LOCKED", probeFromOtherProcess(),
                    "after a refused in-process open the directory must still be locked");
        } finally {
            TestSupport.closeStore(first);
        }
        assertEquals("FREE", probeFromOtherProcess(), "close releases the lock");
    }

    /** Runs a separate JVM that tries to take the store's lock file and reports LOCKED or FREE. */
    private String probeFromOtherProcess() throws IOException, InterruptedException {
        Path source = scratch.resolve("LockProbe.java");
        if (!Files.exists(source)) {
            Files.writeString(source, """
                    import java.nio.channels.FileChannel;
                    import java.nio.channels.FileLock;
                    import java.nio.file.Path;
                    import java.nio.file.StandardOpenOption;

                    public class LockProbe {
                        public static void main(String[] args) throws Exception {
                            try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE)) {
                                FileLock lock = ch.tryLock();
                                System.out.println(lock == null ? "LOCKED" : "FREE");
                            }
                        }
                    }
                    """);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx64m", "-XX:TieredStopAtLevel=1", source.toString(),
                dir.resolve("LOCK").toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "lock probe did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.exitValue(), "lock probe failed: " + out);
        return out;
    }
}
