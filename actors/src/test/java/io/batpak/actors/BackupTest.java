package io.batpak.actors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.AppendRequest;
import io.batpak.core.BackupReport;
import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.IoFaultHook;
import io.batpak.core.ReadOnlyStore;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.BackupFailedException;
import io.batpak.core.error.InvalidBackupDestinationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Online backup: a consistent copy while appends run, refused destinations, a failed copy leaves nothing. */
class BackupTest {
    private static final EventKind KIND = EventKind.of(0x1, 0x001);

    @RegisterExtension
    static final StoreTestKit kit = new StoreTestKit();

    @TempDir
    Path dir;

    private StoreConfig.Builder config(Path store) {
        return StoreConfig.builder(store).segmentMaxBytes(64 * 1024).maxPayloadBytes(16 * 1024);
    }

    @Test
    void aBackupWhileAppendsRunIsAConsistentStoreThatVerifies() throws Exception {
        Path source = dir.resolve("store");
        BatpakStore store = kit.open(config(source).build());
        Files.createDirectories(source.resolve("cursors"));
        Files.write(source.resolve("cursors").resolve("view.ckpt"), new byte[] {1, 2, 3, 4});
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong appended = new AtomicLong();
        List<Thread> appenders = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                int i = 0;
                while (!stop.get()) {
                    try {
                        if (i % 5 == 0) {
                            store.appendBatch(List.of(
                                    AppendRequest.of(Coordinate.of("a:" + id, "s"), KIND, new byte[300]),
                                    AppendRequest.of(Coordinate.of("b:" + id, "s"), KIND, new byte[300])))
                                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
                        } else {
                            store.append(Coordinate.of("a:" + id, "s"), KIND, new byte[300])
                                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
                        }
                        appended.incrementAndGet();
                        i++;
                    } catch (Exception e) {
                        throw new CompletionException(e);
                    }
                }
            });
            th.start();
            appenders.add(th);
        }
        Polling.eventually("appends filled a few segments", () -> appended.get() > 800, java.time.Duration.ofSeconds(60));
        Path copy = dir.resolve("backup");
        BackupReport report = store.backup(copy).toCompletableFuture().get(60, TimeUnit.SECONDS);
        stop.set(true);
        for (Thread th : appenders) {
            th.join();
        }
        assertEquals(copy, report.destination());
        assertTrue(report.segmentsLinked() > 0, "sealed segments are hard-linked: " + report);
        assertTrue(report.segmentsCopied() >= 1, "the newest segment is copied: " + report);
        assertTrue(store.lastGlobalSequence() + 1 > report.events(), "appends went on after the snapshot");
        assertFalse(hasPartialSibling(copy));
        assertArrayEquals(new byte[] {1, 2, 3, 4}, Files.readAllBytes(copy.resolve("cursors").resolve("view.ckpt")));
        try (ReadOnlyStore ro = ReadOnlyStore.open(StoreConfig.builder(copy).build())) {
            assertTrue(ro.verify().ok(), ro.verify().toString());
            assertEquals(report.events() - 1, ro.lastGlobalSequence());
            long after = -1;
            while (true) {
                List<StoredEvent> page = ro.query(io.batpak.core.Region.all(), after, 1000);
                for (StoredEvent e : page) {
                    StoredEvent original = store.query(io.batpak.core.Region.all(), e.globalSequence() - 1, 1).get(0);
                    assertEquals(original.eventHash(), e.eventHash(), "event " + e.globalSequence());
                    after = e.globalSequence();
                }
                if (page.size() < 1000) {
                    break;
                }
            }
        }
        // the copy is a normal, writable store
        BatpakStore reopened = kit.open(StoreConfig.builder(copy).build());
        reopened.append(Coordinate.of("a:0", "s"), KIND, new byte[1]).toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertTrue(reopened.verify().ok());
    }

    @Test
    void destinationsThatCouldLoseOrHideDataAreRefused() throws Exception {
        Path source = dir.resolve("store");
        BatpakStore store = kit.open(config(source).build());
        store.append(Coordinate.of("a", "s"), KIND, new byte[1]).toCompletableFuture().get();
        Path nonEmpty = Files.createDirectories(dir.resolve("full"));
        Files.write(nonEmpty.resolve("something"), new byte[1]);
        Path target = Files.createDirectories(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        Path file = Files.write(dir.resolve("a-file"), new byte[1]);
        for (Path bad : List.of(source.resolve("inside"), nonEmpty, link, file, dir.resolve("no").resolve("parent"))) {
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> store.backup(bad).toCompletableFuture().get(30, TimeUnit.SECONDS), bad.toString());
            InvalidBackupDestinationException refused = assertInstanceOf(InvalidBackupDestinationException.class,
                    e.getCause(), bad.toString());
            assertEquals("destination", refused.parameter());
        }
        assertFalse(Files.exists(source.resolve("inside")));
        try (Stream<Path> entries = Files.list(target)) {
            assertEquals(0, entries.count());
        }
        // an empty existing directory is fine
        BackupReport ok = store.backup(target).toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals(1, ok.events());
    }

    @Test
    void aFailedCopyLeavesNothingAtTheDestinationAndTheStoreGoesOn() throws Exception {
        AtomicBoolean failCopies = new AtomicBoolean();
        IoFaultHook faults = new IoFaultHook() {
            @Override
            public void beforeWrite(String file, long position, int length) throws IOException {
                // segment copies write in chunks of up to 8 MiB from position 0; appends write frame by frame
                if (failCopies.get() && file.endsWith(".seg") && length > 64 * 1024 - 1024) {
                    throw new IOException("injected: no space left on device");
                }
            }

            @Override
            public void beforeCreate(String file) throws IOException {
                if (failCopies.get() && file.endsWith(".seg")) {
                    throw new IOException("injected: no space left on device");
                }
            }
        };
        Path source = dir.resolve("store");
        BatpakStore store = kit.open(config(source).ioFaultHook(faults).build());
        for (int i = 0; i < 50; i++) {
            store.append(Coordinate.of("a", "s"), KIND, new byte[2000]).toCompletableFuture().get();
        }
        failCopies.set(true);
        Path copy = dir.resolve("backup");
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> store.backup(copy).toCompletableFuture().get(30, TimeUnit.SECONDS));
        BackupFailedException failed = assertInstanceOf(BackupFailedException.class, e.getCause());
        assertTrue(failed.getMessage().contains("no space left"), failed.getMessage());
        assertFalse(Files.exists(copy));
        assertFalse(hasPartialSibling(copy), "the partial copy was removed");
        failCopies.set(false);
        store.append(Coordinate.of("a", "s"), KIND, new byte[1]).toCompletableFuture().get(30, TimeUnit.SECONDS);
        BackupReport report = store.backup(copy).toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals(51, report.events());
    }

    private static boolean hasPartialSibling(Path destination) throws IOException {
        try (Stream<Path> siblings = Files.list(destination.toAbsolutePath().getParent())) {
            return siblings.anyMatch(p -> p.getFileName().toString().startsWith("." + destination.getFileName()
                    + ".partial-"));
        }
    }
}
