package io.batpak.streams;

import io.batpak.actors.BatpakStore;
import io.batpak.actors.ChildJvm;
import io.batpak.core.StoreConfig;
import io.batpak.core.SyncMode;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Child process of {@link ReactorTest}'s kill -9 test: opens the store (every commit forced) and runs
 * {@link ReactorFixtures#doubler()} over {@link ReactorFixtures#SOURCES} with small, frequent checkpoint commits
 * until it is killed.
 *
 * <p>Arguments: data directory, reactor id. Protocol on stdout (one write(2) per line; logging goes to stderr):
 * <pre>
 * READY &lt;lastGlobalSequence&gt;
 * COMMITTED &lt;position&gt;     (whenever the reactor's durable checkpoint moved)
 * FAILED &lt;error&gt;           (the reactor stopped with an error)
 * </pre>
 * Halts by itself when its stdin reaches EOF (the parent died) or after 3 minutes.
 */
public final class ReactorCrashChild {
    static final int MAX_BATCH = 50;
    static final Duration MAX_INTERVAL = Duration.ofMillis(20);

    private static final FileOutputStream OUT = new FileOutputStream(FileDescriptor.out);

    private ReactorCrashChild() {
    }

    public static void main(String[] args) throws Exception {
        System.setOut(System.err);
        Path dir = Path.of(args[0]);
        String reactorId = args[1];
        ChildJvm.haltWhenOrphaned("reactor-child", Duration.ofMinutes(3));
        BatpakStore store = BatpakStore.open(StoreConfig.builder(dir).syncMode(SyncMode.EVERY_COMMIT).build());
        ReactorSettings settings = ReactorSettings.create(store.system())
                .withCursor(CursorSettings.create(store.system()).withBatchSize(64))
                .withCommitter(CommitterSettings.create(store.system()).withMaxBatch(MAX_BATCH)
                        .withMaxInterval(MAX_INTERVAL));
        ReactorControl control = BatpakStreams.runReactor(store, ReactorFixtures.SOURCES, ReactorFixtures.doubler(),
                reactorId, settings);
        emit("READY " + store.lastGlobalSequence());
        CompletableFuture<?> done = control.done().toCompletableFuture();
        long reported = Long.MIN_VALUE;
        while (true) {
            long committed = control.cursor().committed();
            if (committed != reported) {
                emit("COMMITTED " + committed);
                reported = committed;
            }
            if (done.isDone()) {
                String outcome = done.handle((d, e) -> e == null ? "stopped" : Futures.cause(e).toString()).join();
                emit("FAILED " + outcome.replace('\n', ' '));
                Thread.sleep(60_000);
            }
            Thread.sleep(1);
        }
    }

    private static synchronized void emit(String line) {
        try {
            OUT.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            Runtime.getRuntime().halt(5);
        }
    }
}
