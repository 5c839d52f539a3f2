package io.batpak.actors;

import io.batpak.core.CompactionPlan;
import io.batpak.core.IoFaultHook;
import io.batpak.core.RedactionRequest;
import io.batpak.core.StoreConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Child JVM of {@link CompactionCrashTest}: {@code CompactionCrashApp <store> <k> <compact|redact|import> [file]}
 * opens the store, arms an I/O hook and runs a compaction (keeping the newest {@value #KEEP} events per entity), an
 * erase-now redaction of entity {@code e:0} or an import of {@code file}; at the operation's k-th I/O step it prints {@code AT <k> <step>} and waits to be
 * killed. An operation with fewer than k steps prints {@code DONE <steps>}.
 */
public final class CompactionCrashApp {
    static final int KEEP = 20;

    private CompactionCrashApp() {
    }

    public static void main(String[] args) throws Exception {
        ChildJvm.haltWhenOrphaned("compaction-crash", Duration.ofMinutes(2));
        Path store = Path.of(args[0]);
        int k = Integer.parseInt(args[1]);
        String mode = args[2];
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
            public void beforeDelete(String file) {
                step("delete " + file);
            }

            @Override
            public void beforeDirectoryForce(String directory) {
                step("force-directory " + directory);
            }
        };
        BatpakStore s = BatpakStore.open(CompactionCrashTest.config(store).ioFaultHook(hook).build());
        armed.set(true);
        try {
            if (mode.equals("redact")) {
                s.redact(RedactionRequest.entity("e:0", "crash test").withEraseNow()).toCompletableFuture()
                        .get(60, TimeUnit.SECONDS);
            } else if (mode.equals("import")) {
                s.importFrom(Path.of(args[3])).toCompletableFuture().get(60, TimeUnit.SECONDS);
            } else {
                s.compact(CompactionPlan.ERASE_ONLY.withMaxEventsPerEntity(KEEP)).toCompletableFuture()
                        .get(60, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            System.out.println("FAILED " + e);
        }
        armed.set(false);
        System.out.println("DONE " + steps.get());
        System.out.flush();
        s.close();
    }
}
