package io.batpak.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.actors.BatpakStore;
import io.batpak.core.ReadOnlyStore;
import io.batpak.core.StoreConfig;
import io.batpak.examples.CourseSubscriptions.Outcome;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 32 concurrent clients, pausing at random between their decision and its append (where a lost update would
 * happen), never oversubscribe a course nor take a student past the limit; every reported subscription is stored
 * exactly once, and the invariant still holds after a reopen.
 */
class CourseSubscriptionsTest {
    private static final int CLIENTS = 32;
    private static final int COURSES = 6;
    private static final int SEATS = 4;
    private static final int LIMIT = 2;

    @TempDir
    Path dir;

    @Test
    void concurrentClientsNeverBreakCapacityOrTheStudentLimit() throws Exception {
        Map<String, Integer> capacities = new HashMap<>();
        Map<String, Outcome> reported = new ConcurrentHashMap<>();
        StoreConfig config = StoreConfig.builder(dir).build();
        CourseSubscriptions school;
        try (BatpakStore store = BatpakStore.open(config)) {
            school = new CourseSubscriptions(store, LIMIT, () -> LockSupport.parkNanos(
                    ThreadLocalRandom.current().nextLong(TimeUnit.MILLISECONDS.toNanos(3))));
            for (int c = 0; c < COURSES; c++) {
                capacities.put("c" + c, SEATS);
                school.defineCourse("c" + c, SEATS);
            }
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> clients = new ArrayList<>();
            for (int client = 0; client < CLIENTS; client++) {
                // Two students per client, so a student's own attempts also race each other.
                int id = client;
                clients.add(pool.submit(() -> {
                    start.await();
                    for (int course = 0; course < COURSES; course++) {
                        String student = "s" + (id % (CLIENTS / 2));
                        String c = "c" + ((course + id) % COURSES);
                        reported.merge(student + "@" + c, school.subscribe(student, c),
                                (a, b) -> a == Outcome.SUBSCRIBED ? a : b);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : clients) {
                f.get(2, TimeUnit.MINUTES);
            }
            pool.shutdown();

            CourseSubscriptions.Tally tally = CourseSubscriptions.tally(store, capacities, LIMIT);
            assertEquals(List.of(), tally.violations());
            long subscribed = reported.values().stream().filter(o -> o == Outcome.SUBSCRIBED).count();
            int stored = tally.seatsTaken().values().stream().mapToInt(Integer::intValue).sum();
            assertEquals(subscribed, stored, "every reported subscription is stored, once");
            // Demand (16 students x 2) exceeds the 24 seats and every student tries every course, so no seat stays free.
            assertEquals(COURSES * SEATS, stored, "every seat is taken");
            assertTrue(store.verify().ok());
        }
        try (ReadOnlyStore reopened = ReadOnlyStore.open(config)) {
            assertEquals(List.of(), CourseSubscriptions.tally(reopened, capacities, LIMIT).violations());
        }
    }

    @Test
    void aFullCourseAndTheLimitAreRefusedWithTheirReasons() throws Exception {
        try (BatpakStore store = BatpakStore.open(StoreConfig.builder(dir).build())) {
            CourseSubscriptions school = new CourseSubscriptions(store, 1, () -> { });
            school.defineCourse("small", 1);
            school.defineCourse("other", 5);
            assertEquals(Outcome.SUBSCRIBED, school.subscribe("ada", "small"));
            assertEquals(Outcome.ALREADY_SUBSCRIBED, school.subscribe("ada", "small"));
            assertEquals(Outcome.COURSE_FULL, school.subscribe("bob", "small"));
            assertEquals(Outcome.STUDENT_LIMIT_REACHED, school.subscribe("ada", "other"));
            assertEquals(Outcome.UNKNOWN_COURSE, school.subscribe("bob", "nope"));
            assertEquals(0, school.conflicts());
        }
    }
}
