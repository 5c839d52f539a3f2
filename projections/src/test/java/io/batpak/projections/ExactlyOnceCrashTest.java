package io.batpak.projections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.actors.ChildJvm;
import io.batpak.core.ReadOnlyStore;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A read model counting events per entity and summing a payload field while appends run, killed with SIGKILL at
 * random moments over 5 cycles: after the last run every count and sum equals the one computed from the store.
 */
@Tag("crash")
class ExactlyOnceCrashTest {
    private static final int CYCLES = 5;
    private static final Duration START = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void noEventIsLostOrCountedTwiceAcrossKillNine() throws Exception {
        Random random = new Random(Long.getLong("batpak.crash.seed", System.nanoTime()));
        Path store = dir.resolve("store");
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            try (ChildJvm child = ChildJvm.start(CountingApp.class, dir.resolve("run-" + cycle + ".log"),
                    store.toString(), "run", Long.toString(random.nextLong()))) {
                child.awaitLine("RUNNING"::equals, START, null);
                long until = System.nanoTime() + Duration.ofMillis(300 + random.nextInt(1700)).toNanos();
                while (System.nanoTime() < until) {
                    child.poll(Duration.ofMillis(50));
                }
                child.kill(Duration.ofSeconds(30));
            }
        }
        Map<String, long[]> model = new HashMap<>();
        try (ChildJvm child = ChildJvm.start(CountingApp.class, dir.resolve("final.log"), store.toString(), "final")) {
            while (true) {
                String line = child.nextLine(START);
                if (line.equals("DONE")) {
                    break;
                }
                String[] p = line.split(" ");
                model.put(p[1], new long[] {Long.parseLong(p[2]), Long.parseLong(p[3])});
            }
        }
        Map<String, long[]> truth = new HashMap<>();
        long events = 0;
        try (ReadOnlyStore ro = ReadOnlyStore.open(StoreConfig.builder(store).build())) {
            long after = -1;
            while (true) {
                List<StoredEvent> page = ro.query(io.batpak.core.Region.all().withKind(Counting.KIND), after, 10_000);
                for (StoredEvent e : page) {
                    long[] t = truth.computeIfAbsent(e.coordinate().entity(), k -> new long[2]);
                    t[0]++;
                    t[1] += Counting.amount(e);
                    after = e.globalSequence();
                    events++;
                }
                if (page.size() < 10_000) {
                    break;
                }
            }
        }
        assertTrue(events > 100, "appends ran: " + events + " events");
        assertEquals(truth.keySet(), model.keySet());
        for (Map.Entry<String, long[]> t : truth.entrySet()) {
            assertEquals(t.getValue()[0], model.get(t.getKey())[0], "count of " + t.getKey());
            assertEquals(t.getValue()[1], model.get(t.getKey())[1], "sum of " + t.getKey());
        }
    }
}
