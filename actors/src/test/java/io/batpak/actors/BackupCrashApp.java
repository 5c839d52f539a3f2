package io.batpak.actors;

import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.IoFaultHook;
import io.batpak.core.StoreConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Child JVM of {@link BackupCrashTest}: {@code BackupCrashApp <store> <destination> <k>} appends 200 events (if the
 * store is new), arms an I/O hook and backs up; at the backup's k-th I/O step it prints {@code AT <k> <step>} and
 * waits to be killed. A backup with fewer than k steps prints {@code DONE <steps>}.
 */
public final class BackupCrashApp {
    private BackupCrashApp() {
    }

    public static void main(String[] args) throws Exception {
        ChildJvm.haltWhenOrphaned("backup-crash", Duration.ofMinutes(2));
        Path store = Path.of(args[0]);
        Path destination = Path.of(args[1]);
        int k = Integer.parseInt(args[2]);
        AtomicBoolean armed = new AtomicBoolean();
        AtomicInteger steps = new AtomicInteger();
        IoFaultHook hook = new IoFaultHook() {
            private void step(String what) {
                if (armed.get() && steps.incrementAndGet() == k) {
                    System.out.println("AT " + k + " " + what);
                    System.out.flush();
                    try {
                        Thread.currentThread().join();      // held here until the parent kills this JVM
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }

            @Override
            public void beforeWrite(String file, long position, int length) {
                step("write " + file);
            }

            @Override
            public void beforeForce(String file) {
                step("force " + file);
            }

            @Override
            public void beforeCreate(String file) {
                step("create " + file);
            }

            @Override
            public void beforeRename(String from, String to) {
                step("rename " + from + " " + to);
            }

            @Override
            public void beforeDirectoryForce(String directory) {
                step("force-directory " + directory);
            }
        };
        boolean fresh = !Files.exists(store);
        BatpakStore s = BatpakStore.open(StoreConfig.builder(store).segmentMaxBytes(64 * 1024)
                .maxPayloadBytes(16 * 1024).ioFaultHook(hook).build());
        if (fresh) {
            for (int i = 0; i < 200; i++) {
                s.append(Coordinate.of("e:" + (i % 7), "s"), EventKind.of(0x1, 0x001), new byte[1000])
                        .toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            Files.createDirectories(store.resolve("cursors"));
            Files.write(store.resolve("cursors").resolve("c.ckpt"), new byte[] {9});
        }
        armed.set(true);
        try {
            s.backup(destination).toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.out.println("FAILED " + e);
        }
        armed.set(false);
        System.out.println("DONE " + steps.get());
        System.out.flush();
        s.close();
    }

}
