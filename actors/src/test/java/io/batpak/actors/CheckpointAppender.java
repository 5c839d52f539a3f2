package io.batpak.actors;

import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.IdempotencyKey;
import io.batpak.core.AppendOptions;
import io.batpak.core.StoreConfig;
import io.batpak.core.SyncMode;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Child process of {@link PeriodicCheckpointTest}: appends {@code events} events in batches of 1,000 (every tenth
 * event with an idempotency key) with periodic index checkpoints every {@code interval} events, waits until a
 * checkpoint covering at least {@code events - interval} events is on disk, prints {@code READY} and waits to be
 * killed with SIGKILL. Arguments: data directory, events, interval.
 */
public final class CheckpointAppender {
    static final EventKind KIND = EventKind.of(0x1, 0x001);
    static final int BATCH = 1000;
    static final int ENTITIES = 500;

    private CheckpointAppender() {
    }

    public static void main(String[] args) throws Exception {
        ChildJvm.haltWhenOrphaned("checkpoint-appender", Duration.ofMinutes(10));
        Path dir = Path.of(args[0]);
        int events = Integer.parseInt(args[1]);
        long interval = Long.parseLong(args[2]);
        StoreConfig config = StoreConfig.builder(dir).syncMode(SyncMode.NONE).checkpointIntervalEvents(interval)
                .checkpointOnClose(false).build();
        BatpakStore store = BatpakStore.open(config);
        for (int done = 0; done < events; done += BATCH) {
            List<AppendRequest> batch = new ArrayList<>(BATCH);
            for (int i = done; i < done + BATCH; i++) {
                AppendOptions o = i % 10 == 0 ? AppendOptions.builder().idempotencyKey(IdempotencyKey.of(7, i)).build()
                        : AppendOptions.DEFAULT;
                batch.add(AppendRequest.of(Coordinate.of("ckpt-" + (i % ENTITIES), "crash"), KIND,
                        ("event " + i).getBytes(StandardCharsets.UTF_8), o));
            }
            store.appendBatch(batch).toCompletableFuture().join();
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (PeriodicCheckpointTest.checkpointedEvents(dir) < events - interval && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        say("READY " + PeriodicCheckpointTest.checkpointedEvents(dir));
        Thread.sleep(Long.MAX_VALUE);
    }

    private static void say(String line) throws IOException {
        FileOutputStream out = new FileOutputStream(FileDescriptor.out);
        out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }
}
