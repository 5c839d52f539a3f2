package io.batpak.bench;

import java.util.List;

/**
 * What one harness run measures and for how long.
 *
 * @param mode                 quick, full or smoke
 * @param rounds               rounds; every figure is the median over them
 * @param warmupMillis         per measurement: time the workload runs before the window opens
 * @param measureMillis        per measurement: length of the window that is counted
 * @param jvmWarmupMillis      once, before round 1: unrecorded load on every system so the JIT has settled
 * @param appenders            concurrent appender counts for single appends
 * @param payloads             payload sizes in bytes
 * @param batchAppenders       concurrent appender counts for atomic batches
 * @param batchSize            events per atomic batch
 * @param readEvents           events in the store used for the read measurements
 * @param readEntityCalls      readEntity calls timed per round
 * @param jmh                  whether to run the JMH micro-benchmarks too
 * @param fanoutSubscribers    stream delivery: live subscriptions in the fan-out measurement
 * @param fanoutEvents         stream delivery: events appended per fan-out measurement
 * @param cursorEvents         stream delivery: events in the store the cursor replays
 */
public record Plan(String mode, int rounds, long warmupMillis, long measureMillis, long jvmWarmupMillis,
                   List<Integer> appenders, List<Integer> payloads, List<Integer> batchAppenders, int batchSize,
                   int readEvents, int readEntityCalls, boolean jmh, int fanoutSubscribers, int fanoutEvents,
                   int cursorEvents) {

    /** Appender count, payload and sync mode named by a target; always measured so every target has a figure. */
    static final int TARGET_APPENDERS = 64;
    static final int TARGET_PAYLOAD = 100;

    /** Several rounds of the whole matrix; what docs/PERFORMANCE.md reports. About 20 minutes. */
    public static Plan full() {
        return new Plan("full", 5, 500, 1500, 8000, List.of(1, 16, 64, 256), List.of(100, 1024), List.of(1, 16), 100,
                1_000_000, 20_000, true, 100, 60_000, 1_000_000);
    }

    /** The target scenarios and the reads only, fewer rounds and shorter windows. Under 3 minutes. */
    public static Plan quick() {
        return new Plan("quick", 3, 300, 700, 4000, List.of(1, 64), List.of(100), List.of(16), 100,
                1_000_000, 5_000, false, 100, 50_000, 100_000);
    }

    /** Tiny sizes, a few seconds: proves the harness compiles and runs. Its numbers mean nothing. */
    public static Plan smoke() {
        return new Plan("smoke", 1, 30, 100, 0, List.of(1, 4), List.of(100), List.of(2), 10,
                5_000, 200, false, 100, 200, 2_000);
    }

    public static Plan named(String mode) {
        return switch (mode) {
            case "full" -> full();
            case "quick" -> quick();
            case "smoke" -> smoke();
            default -> throw new IllegalArgumentException("unknown mode " + mode + " (full, quick, smoke)");
        };
    }

    public Plan withRounds(int r) {
        return new Plan(mode, r, warmupMillis, measureMillis, jvmWarmupMillis, appenders, payloads, batchAppenders,
                batchSize, readEvents, readEntityCalls, jmh, fanoutSubscribers, fanoutEvents, cursorEvents);
    }

    public Plan withJmh(boolean on) {
        return new Plan(mode, rounds, warmupMillis, measureMillis, jvmWarmupMillis, appenders, payloads,
                batchAppenders, batchSize, readEvents, readEntityCalls, on, fanoutSubscribers, fanoutEvents,
                cursorEvents);
    }

    public Plan withReadEvents(int n) {
        return new Plan(mode, rounds, warmupMillis, measureMillis, jvmWarmupMillis, appenders, payloads,
                batchAppenders, batchSize, n, readEntityCalls, jmh, fanoutSubscribers, fanoutEvents, cursorEvents);
    }
}
