package io.batpak.examples;

import io.batpak.actors.BatpakStore;
import io.batpak.core.AppendCondition;
import io.batpak.core.AppendOptions;
import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.Region;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoreReader;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.AppendConditionFailedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Consistency across entities without a shared aggregate (the "dynamic consistency boundary"): students subscribe
 * to courses that have a capacity, and a student may take at most a few courses. Each subscription reads the
 * course's events and the student's events (by tag), decides, and appends one event tagged with both, on the
 * condition that none of those events changed since it read them. When another client got in between, the append
 * fails with {@link AppendConditionFailedException}, nothing is stored, and the client reads and decides again.
 *
 * <p>Run with {@code mvn -B -q -pl examples exec:java -Dexec.mainClass=io.batpak.examples.CourseSubscriptions}:
 * 32 concurrent clients try to oversubscribe 8 courses, and the store never lets them.
 */
public final class CourseSubscriptions {
    /** A course opened with a number of seats. */
    public record CourseDefined(String course, int capacity) {
    }

    /** A student took a seat in a course. */
    public record StudentSubscribed(String student, String course) {
    }

    static final EventKind COURSE_DEFINED = EventKind.of(0x2, 0x001);
    static final EventKind STUDENT_SUBSCRIBED = EventKind.of(0x2, 0x002);
    private static final String SCOPE = "school";
    private static final int PAGE = 1000;

    /** What a subscription attempt ended with. */
    public enum Outcome { SUBSCRIBED, ALREADY_SUBSCRIBED, COURSE_FULL, STUDENT_LIMIT_REACHED, UNKNOWN_COURSE }

    private final BatpakStore store;
    private final int studentLimit;
    private final Runnable pauseBeforeAppend;
    private final AtomicLong conflicts = new AtomicLong();

    /**
     * @param studentLimit most courses one student may take
     * @param pauseBeforeAppend runs between the decision and its append (a test widens the race with it)
     */
    public CourseSubscriptions(BatpakStore store, int studentLimit, Runnable pauseBeforeAppend) {
        this.store = store;
        this.studentLimit = studentLimit;
        this.pauseBeforeAppend = pauseBeforeAppend;
    }

    static String courseTag(String course) {
        return "course:" + course;
    }

    static String studentTag(String student) {
        return "student:" + student;
    }

    /** Opens a course (once; a second definition is ignored by the decisions, which use the first). */
    public void defineCourse(String course, int capacity) {
        store.append(Coordinate.of("course:" + course, SCOPE), COURSE_DEFINED, new CourseDefined(course, capacity),
                AppendOptions.builder().tags(courseTag(course)).build()).toCompletableFuture().join();
    }

    /** The decision's inputs: the events of both regions, and the position they were read up to. */
    private record Read(List<StoredEvent> events, long position) {
    }

    private Read read(List<Region> regions) {
        List<StoredEvent> events = new ArrayList<>();
        long position = -1;
        for (Region r : regions) {
            long after = -1;
            while (true) {
                List<StoredEvent> page = store.query(r, after, PAGE);
                if (page.isEmpty()) {
                    break;
                }
                events.addAll(page);
                after = page.get(page.size() - 1).globalSequence();
                position = Math.max(position, after);
            }
        }
        return new Read(events, position);
    }

    /**
     * Subscribes {@code student} to {@code course} if the course has a free seat and the student is below the limit;
     * retries (re-reading and deciding again) until the decision is stored or refused.
     */
    public Outcome subscribe(String student, String course) {
        List<Region> regions = List.of(Region.tag(courseTag(course)), Region.tag(studentTag(student)));
        while (true) {
            Read read = read(regions);
            Integer capacity = null;
            int seatsTaken = 0;
            Set<String> coursesOfStudent = new HashSet<>();
            for (StoredEvent e : read.events()) {
                if (e.kind().equals(COURSE_DEFINED)) {
                    CourseDefined d = e.payloadAs(CourseDefined.class);
                    capacity = capacity == null ? d.capacity() : capacity;
                } else if (e.kind().equals(STUDENT_SUBSCRIBED)) {
                    StudentSubscribed s = e.payloadAs(StudentSubscribed.class);
                    if (s.course().equals(course)) {
                        seatsTaken++;
                    }
                    if (s.student().equals(student)) {
                        coursesOfStudent.add(s.course());
                    }
                }
            }
            if (capacity == null) {
                return Outcome.UNKNOWN_COURSE;
            }
            if (coursesOfStudent.contains(course)) {
                return Outcome.ALREADY_SUBSCRIBED;
            }
            if (seatsTaken >= capacity) {
                return Outcome.COURSE_FULL;
            }
            if (coursesOfStudent.size() >= studentLimit) {
                return Outcome.STUDENT_LIMIT_REACHED;
            }
            pauseBeforeAppend.run();
            AppendOptions options = AppendOptions.builder().tags(courseTag(course), studentTag(student))
                    .condition(AppendCondition.noneMatchingAny(regions, read.position())).build();
            try {
                store.append(Coordinate.of("student:" + student, SCOPE), STUDENT_SUBSCRIBED,
                        new StudentSubscribed(student, course), options).toCompletableFuture().join();
                return Outcome.SUBSCRIBED;
            } catch (CompletionException e) {
                if (!(e.getCause() instanceof AppendConditionFailedException)) {
                    throw e;
                }
                conflicts.incrementAndGet();
            }
        }
    }

    /** Appends refused by their condition so far (each was retried). */
    public long conflicts() {
        return conflicts.get();
    }

    /** What the store holds: seats taken per course, courses per student, and the violations of the rules. */
    public record Tally(Map<String, Integer> seatsTaken, Map<String, Set<String>> coursesOfStudent,
                        List<String> violations) {
    }

    /** Recounts everything from the store's events and lists every broken rule (none, if the conditions work). */
    public static Tally tally(StoreReader reader, Map<String, Integer> capacities, int studentLimit) {
        Map<String, Integer> seats = new HashMap<>();
        Map<String, Set<String>> courses = new HashMap<>();
        List<String> violations = new ArrayList<>();
        long after = -1;
        while (true) {
            List<StoredEvent> page = reader.query(Region.all().withKind(STUDENT_SUBSCRIBED), after, PAGE);
            if (page.isEmpty()) {
                break;
            }
            for (StoredEvent e : page) {
                StudentSubscribed s = e.payloadAs(StudentSubscribed.class);
                seats.merge(s.course(), 1, Integer::sum);
                if (!courses.computeIfAbsent(s.student(), k -> new HashSet<>()).add(s.course())) {
                    violations.add(s.student() + " subscribed twice to " + s.course());
                }
            }
            after = page.get(page.size() - 1).globalSequence();
        }
        seats.forEach((course, n) -> {
            if (n > capacities.getOrDefault(course, 0)) {
                violations.add(course + " has " + n + " students for " + capacities.get(course) + " seats");
            }
        });
        courses.forEach((student, cs) -> {
            if (cs.size() > studentLimit) {
                violations.add(student + " takes " + cs.size() + " courses, the limit is " + studentLimit);
            }
        });
        return new Tally(seats, courses, violations);
    }

    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("batpak-courses");
        int clients = 32;
        int studentLimit = 3;
        Map<String, Integer> capacities = new HashMap<>();
        try (BatpakStore store = BatpakStore.open(StoreConfig.builder(dir).build())) {
            CourseSubscriptions school = new CourseSubscriptions(store, studentLimit, () -> { });
            for (int c = 0; c < 8; c++) {
                capacities.put("c" + c, 5);
                school.defineCourse("c" + c, 5);
            }
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            Map<Outcome, AtomicLong> outcomes = new HashMap<>();
            for (Outcome o : Outcome.values()) {
                outcomes.put(o, new AtomicLong());
            }
            List<Future<?>> done = new ArrayList<>();
            for (int client = 0; client < clients; client++) {
                Random random = new Random(client);
                int id = client;
                done.add(pool.submit(() -> {
                    // Every client is one student who wants five courses: more than allowed, and the courses have
                    // 40 seats for 32 students wanting 160.
                    for (int i = 0; i < 5; i++) {
                        outcomes.get(school.subscribe("s" + id, "c" + random.nextInt(8))).incrementAndGet();
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
            Tally tally = tally(store, capacities, studentLimit);
            System.out.println("store directory: " + dir);
            System.out.println("attempts: " + outcomes);
            System.out.println("conditional appends refused and retried: " + school.conflicts());
            System.out.println("seats taken per course: " + new java.util.TreeMap<>(tally.seatsTaken()));
            System.out.println(tally.violations().isEmpty() ? "no course is oversubscribed, no student over the limit"
                    : "VIOLATIONS: " + tally.violations());
        }
    }
}
