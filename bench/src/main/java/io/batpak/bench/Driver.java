package io.batpak.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * Runs one session for a warm-up, then counts the operations acknowledged inside a fixed window. Latency is the time
 * from issuing an operation to its acknowledgement, recorded for operations acknowledged inside the window.
 */
final class Driver {
    private static final int WARMUP = 0;
    private static final int MEASURE = 1;
    private static final int DONE = 2;
    /** Longest latency the histograms track: 60 s. */
    static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(60);

    private volatile int phase = WARMUP;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    /** What one window measured. */
    record Sample(double eventsPerSec, Histogram latencyNanos, long ops, Map<String, Long> counterDeltas,
                  double windowSeconds) {
    }

    static Sample run(AppendSystem.Session session, int appenders, long warmupMillis, long measureMillis)
            throws Exception {
        return new Driver().go(session, appenders, warmupMillis, measureMillis);
    }

    private Sample go(AppendSystem.Session session, int appenders, long warmupMillis, long measureMillis)
            throws Exception {
        List<Histogram> histograms = new ArrayList<>();
        long[] counts = new long[appenders];
        for (int i = 0; i < appenders; i++) {
            histograms.add(new Histogram(MAX_NANOS, 3));
        }
        List<Thread> threads = new ArrayList<>();
        List<CompletableFuture<Void>> chains = new ArrayList<>();
        if (session instanceof AppendSystem.Threaded t) {
            for (int i = 0; i < appenders; i++) {
                int a = i;
                Thread th = new Thread(() -> threadLoop(t, a, histograms.get(a), counts), "appender-" + i);
                th.setDaemon(true);
                threads.add(th);
            }
            threads.forEach(Thread::start);
        } else {
            AppendSystem.Async as = (AppendSystem.Async) session;
            for (int i = 0; i < appenders; i++) {
                CompletableFuture<Void> done = new CompletableFuture<>();
                chains.add(done);
                issue(as, i, 0, histograms.get(i), counts, done);
            }
        }
        sleep(warmupMillis);
        Map<String, Long> before = session.counters();
        long t0 = System.nanoTime();
        phase = MEASURE;
        sleep(measureMillis);
        phase = DONE;
        long t1 = System.nanoTime();
        Map<String, Long> after = session.counters();
        for (Thread th : threads) {
            th.join(TimeUnit.MINUTES.toMillis(2));
            if (th.isAlive()) {
                throw new IllegalStateException(th.getName() + " did not stop");
            }
        }
        CompletableFuture.allOf(chains.toArray(new CompletableFuture<?>[0])).get(2, TimeUnit.MINUTES);
        if (failure.get() != null) {
            throw new IllegalStateException("an append failed: " + failure.get(), failure.get());
        }
        Histogram all = new Histogram(MAX_NANOS, 3);
        long ops = 0;
        for (int i = 0; i < appenders; i++) {
            all.add(histograms.get(i));
            ops += counts[i];
        }
        double seconds = (t1 - t0) / 1e9;
        Map<String, Long> deltas = new HashMap<>();
        for (Map.Entry<String, Long> e : after.entrySet()) {
            deltas.put(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L));
        }
        return new Sample(ops * (double) session.eventsPerOp() / seconds, all, ops, deltas, seconds);
    }

    private void threadLoop(AppendSystem.Threaded session, int appender, Histogram h, long[] counts) {
        long n = 0;
        long op = 0;
        try (AppendSystem.Client c = session.client(appender)) {
            while (phase != DONE && failure.get() == null) {
                long s = System.nanoTime();
                c.run(op++);
                long e = System.nanoTime();
                if (phase == MEASURE) {
                    h.recordValue(Math.min(e - s, MAX_NANOS));
                    n++;
                }
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
        counts[appender] = n;
    }

    private void issue(AppendSystem.Async session, int appender, long op, Histogram h, long[] counts,
                       CompletableFuture<Void> done) {
        long s = System.nanoTime();
        // The continuation only records a time and issues the next operation: it never blocks, so it is attached
        // with a direct executor and runs on the thread that completes the stage, as a latency-minded caller would.
        CompletionStage0.of(session, appender, op).whenCompleteAsync((r, err) -> {
            long e = System.nanoTime();
            if (err != null) {
                failure.compareAndSet(null, err);
                done.complete(null);
                return;
            }
            int p = phase;
            if (p == MEASURE) {
                h.recordValue(Math.min(e - s, MAX_NANOS));
                counts[appender]++;
            }
            if (p == DONE || failure.get() != null) {
                done.complete(null);
            } else {
                issue(session, appender, op + 1, h, counts, done);
            }
        }, DIRECT);
    }

    /** Starts an async operation, turning a synchronous throw into a failed stage. */
    private static final class CompletionStage0 {
        static java.util.concurrent.CompletionStage<?> of(AppendSystem.Async s, int appender, long op) {
            try {
                return s.run(appender, op);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
    }

    private static final Executor DIRECT = Runnable::run;

    private static void sleep(long millis) throws InterruptedException {
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }
}
