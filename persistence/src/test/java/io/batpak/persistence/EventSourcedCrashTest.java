package io.batpak.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.batpak.actors.ChildJvm;
import io.batpak.persistence.app.Counter;
import io.batpak.persistence.app.CounterApp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An EventSourcedBehavior application on the batpak plugins, killed with SIGKILL at random moments: after every
 * restart each counter has recovered every acknowledged event, in order, with no atomic write torn, and is never
 * ahead of what was acknowledged plus its one command in flight.
 */
@Tag("crash")
class EventSourcedCrashTest {
    private static final int ENTITIES = 200;
    private static final int CYCLES = Integer.getInteger("batpak.crash.cycles", 10);
    private static final Duration START = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedPersistSurvivesKillNine() throws Exception {
        Random random = new Random(Long.getLong("batpak.crash.seed", System.nanoTime()));
        Map<String, Integer> acked = new HashMap<>();
        long totalAcks = 0;
        for (int cycle = 0; cycle <= CYCLES; cycle++) {
            Path log = dir.resolve("child-" + cycle + ".log");
            try (ChildJvm child = ChildJvm.start(CounterApp.class, log, dir.resolve("store").toString(),
                    Integer.toString(ENTITIES))) {
                for (int i = 0; i < ENTITIES; i++) {
                    String line = child.awaitLine(l -> l.startsWith("STATE "), START, null);
                    String[] parts = line.split(" ", 3);
                    List<String> applied = parts.length < 3 || parts[2].isEmpty() ? List.of()
                            : Arrays.asList(parts[2].split(","));
                    check(cycle, parts[1], applied, acked.getOrDefault(parts[1], 0), child);
                    acked.put(parts[1], new Counter.State(applied).lastValue());
                }
                child.awaitLine("READY"::equals, START, null);
                if (cycle == CYCLES) {
                    break;
                }
                long deadline = System.nanoTime() + Duration.ofMillis(300 + random.nextInt(1500)).toNanos();
                totalAcks += readAcks(child, acked, deadline);
                child.kill(Duration.ofSeconds(30));
                totalAcks += readAcks(child, acked, Long.MAX_VALUE);
            }
        }
        assertTrue(totalAcks > ENTITIES, "the application made progress: " + totalAcks + " acknowledged persists");
    }

    /** The recovered history must be exactly values 1..k with k the acknowledged value or the one in flight. */
    private static void check(int cycle, String id, List<String> applied, int ackedValue, ChildJvm child) {
        int k = new Counter.State(applied).lastValue();
        if (k < ackedValue || k > ackedValue + 1) {
            fail("cycle " + cycle + ": " + id + " recovered up to value " + k + ", acknowledged " + ackedValue
                    + " (one more may have been in flight)\n" + child.stderrTail());
        }
        assertEquals(Counter.expected(k), applied, "cycle " + cycle + ": history of " + id);
    }

    private static long readAcks(ChildJvm child, Map<String, Integer> acked, long deadline) throws Exception {
        long n = 0;
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return n;
            }
            String line = child.poll(Duration.ofNanos(Math.min(left, Duration.ofSeconds(30).toNanos())));
            if (line == null || line.equals(ChildJvm.EOF)) {
                return n;
            }
            if (line.startsWith("ERROR ")) {
                fail("the application failed a persist: " + line + "\n" + child.stderrTail());
            }
            if (line.startsWith("ACK ")) {
                String[] parts = line.split(" ");
                int value = Integer.parseInt(parts[2]);
                int before = acked.getOrDefault(parts[1], 0);
                assertEquals(before + 1, value, "acknowledgements of " + parts[1] + " arrive in order");
                acked.put(parts[1], value);
                n++;
            }
        }
    }
}
