package io.batpak.bench;

import io.batpak.actors.BatpakStore;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoreStats;
import io.batpak.core.SyncMode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Open time after {@code kill -9} with periodic index checkpoints against open time after a clean close. Each round:
 * a child JVM appends {@code events} events (100 B, 1,000 entities, batches of 1,000, a checkpoint every
 * {@code checkpoint-interval-events}, by default that of reference.conf), prints READY after the last acknowledgement and is killed with
 * SIGKILL at once; the store is opened (timed: the tail after the checkpoint is scanned), closed cleanly and
 * opened again (timed: the close checkpoint covers everything). Prints both medians and their ratio.
 *
 * <pre>java -cp bench/target/batpak-bench.jar io.batpak.bench.ReopenBench [events] [rounds] [checkpoint-interval-events]</pre>
 */
public final class ReopenBench {
    private static final int BATCH = 1000;
    private static final int ENTITIES = 1000;
    private static final EventKind KIND = EventKind.of(0x1, 0x001);

    private ReopenBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(Path.of(args[1]), Integer.parseInt(args[2]), Long.parseLong(args[3]));
            return;
        }
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        long interval = args.length > 2 ? Long.parseLong(args[2])
                : StoreConfig.builder(Path.of(".")).build().checkpointIntervalEvents();
        List<Double> afterCrash = new ArrayList<>();
        List<Double> afterClose = new ArrayList<>();
        List<Long> scanned = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            Path dir = Files.createTempDirectory("batpak-reopen");
            try {
                runChild(dir, events, interval);
                StoreStats crash = timedOpen(dir, afterCrash);
                scanned.add(crash.openScannedEvents());
                timedOpen(dir, afterClose);
                System.out.printf("round %d: after kill -9 %.0f ms (scanned %d of %d events), after close %.0f ms%n",
                        r, afterCrash.get(r), crash.openScannedEvents(), events, afterClose.get(r));
            } finally {
                Files2.deleteTree(dir);
            }
        }
        double crash = Stats.median(afterCrash);
        double clean = Stats.median(afterClose);
        System.out.printf("reopen of %d events, checkpoint every %d events, median of %d: after kill -9 %.0f ms,"
                + " after clean close %.0f ms, ratio %.2f%n", events, interval, rounds, crash, clean, crash / clean);
    }

    /** Opens, records StoreStats.openMillis (the recovery), closes cleanly. */
    private static StoreStats timedOpen(Path dir, List<Double> millis) {
        BatpakStore store = BatpakStore.open(StoreConfig.builder(dir).build());
        try {
            StoreStats st = store.stats();
            millis.add((double) st.openMillis());
            return st;
        } finally {
            store.close();
        }
    }

    private static void runChild(Path dir, int events, long interval) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), ReopenBench.class.getName(), "child", dir.toString(),
                String.valueOf(events), String.valueOf(interval));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            if (line == null || !line.startsWith("READY")) {
                throw new IllegalStateException("child did not get ready: " + line);
            }
        } finally {
            p.destroyForcibly(); // SIGKILL
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static void child(Path dir, int events, long interval) throws Exception {
        StoreConfig config = StoreConfig.builder(dir).syncMode(SyncMode.NONE).checkpointOnClose(false)
                .checkpointIntervalEvents(interval).build();
        BatpakStore store = BatpakStore.open(config);
        byte[] payload = new byte[100];
        for (int done = 0; done < events; done += BATCH) {
            List<AppendRequest> batch = new ArrayList<>(BATCH);
            for (int i = done; i < done + BATCH; i++) {
                batch.add(AppendRequest.of(Coordinate.of("reopen-" + (i % ENTITIES), "bench"), KIND, payload));
            }
            store.appendBatch(batch).toCompletableFuture().join();
        }
        // Killed right after the last acknowledgement: whatever periodic checkpoints finished by then is what the
        // reopen finds, as after a real crash.
        System.out.println("READY " + store.stats().checkpoints());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
