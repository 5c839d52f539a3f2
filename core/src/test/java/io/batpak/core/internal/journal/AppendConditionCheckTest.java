package io.batpak.core.internal.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.AppendCondition;
import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.Region;
import io.batpak.core.StoreConfig;
import io.batpak.core.error.AppendConditionFailedException;
import io.batpak.core.internal.journal.JournalHarness.Expected;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer's check of append conditions, at the journal: it counts committed events (from the index), events
 * staged for the next commit (in flight) and earlier events of the same group, and names the first conflict.
 */
class AppendConditionCheckTest {
    private static final EventKind KIND = EventKind.of(1, 1);
    private static final Region COURSE = Region.tag("course:7");

    @TempDir
    Path dir;

    private Expected event(JournalHarness h, String entity, List<String> tags) {
        return h.build(Coordinate.of(entity, "s"), KIND, new byte[] {1}, 0, 0, null, null, null, tags);
    }

    /** An event carrying {@code condition}, built like a partition builds it. */
    private static PendingEvent conditional(Expected x, AppendCondition condition) {
        PendingEvent p = x.pending;
        return new PendingEvent(p.frame(), p.coordinate(), p.eventId(), p.entitySequence(), p.timestampMicros(),
                p.eventHashBytes(), p.kind(), null, p.tags(), condition);
    }

    @Test
    void aCommittedMatchFailsNamingTheFirstConflict() throws IOException {
        try (JournalHarness h = new JournalHarness(StoreConfig.builder(dir).build())) {
            Expected first = event(h, "student:1", List.of("course:7"));
            Expected other = event(h, "student:2", List.of("course:8"));
            Expected second = event(h, "student:3", List.of("course:7", "x"));
            h.stage(first);
            h.stage(other);
            h.stage(second);
            h.writer.commit();

            PendingEvent c = conditional(event(h, "student:4", List.of("course:7")),
                    AppendCondition.noneMatching(COURSE, -1));
            AppendConditionFailedException e = h.writer.checkConditions(new PendingEvent[] {c});
            assertNotNull(e);
            assertEquals(0, e.conflictingGlobalSequence(), "the lowest matching global sequence");
            assertEquals(first.pending.eventId(), e.conflictingEventId());
            assertEquals(COURSE, e.region());
            assertTrue(e.getMessage().contains(COURSE.identity()), e.getMessage());

            AppendConditionFailedException later = h.writer.checkConditions(new PendingEvent[] {conditional(
                    event(h, "student:4", List.of()), AppendCondition.noneMatching(COURSE, 0))});
            assertEquals(2, later.conflictingGlobalSequence());
            assertNull(h.writer.checkConditions(new PendingEvent[] {conditional(event(h, "student:4", List.of()),
                    AppendCondition.noneMatching(COURSE, 2))}), "nothing after the last match");
            assertNull(h.writer.checkConditions(new PendingEvent[] {conditional(event(h, "student:4", List.of()),
                    AppendCondition.noneMatching(Region.tag("course:9"), -1))}), "a tag nobody carries");
        }
    }

    @Test
    void anEventStagedForTheNextCommitCounts() throws IOException {
        try (JournalHarness h = new JournalHarness(StoreConfig.builder(dir).build())) {
            h.stage(event(h, "student:1", List.of("course:7")));
            h.writer.commit();
            Expected inFlight = event(h, "student:2", List.of("course:7"));
            h.stage(inFlight); // staged, not yet written nor indexed
            assertEquals(0, h.core.lastGlobalSequence());

            AppendConditionFailedException e = h.writer.checkConditions(new PendingEvent[] {conditional(
                    event(h, "student:3", List.of()), AppendCondition.noneMatching(COURSE, 0))});
            assertNotNull(e);
            assertEquals(1, e.conflictingGlobalSequence());
            assertEquals(inFlight.pending.eventId(), e.conflictingEventId());
            // A region the staged event is not in is not affected by it.
            assertNull(h.writer.checkConditions(new PendingEvent[] {conditional(event(h, "student:3", List.of()),
                    AppendCondition.noneMatching(Region.tag("course:7").withTag("other"), -1))}));
        }
    }

    @Test
    void earlierEventsOfTheSameGroupCountLaterOnesDoNot() throws IOException {
        try (JournalHarness h = new JournalHarness(StoreConfig.builder(dir).build())) {
            h.stage(event(h, "student:0", List.of()));
            h.writer.commit();
            Expected item0 = event(h, "student:1", List.of("course:7"));
            PendingEvent item1 = conditional(event(h, "student:2", List.of()), AppendCondition.noneMatching(COURSE, 0));
            AppendConditionFailedException e = h.writer.checkConditions(new PendingEvent[] {item0.pending, item1});
            assertNotNull(e);
            assertEquals(1, e.conflictingGlobalSequence(), "the global sequence item 0 would get");
            assertEquals(item0.pending.eventId(), e.conflictingEventId());

            PendingEvent first = conditional(event(h, "student:3", List.of()), AppendCondition.noneMatching(COURSE, 0));
            Expected after = event(h, "student:4", List.of("course:7"));
            assertNull(h.writer.checkConditions(new PendingEvent[] {first, after.pending}),
                    "an item sequenced after the conditional one does not count");
        }
    }

    @Test
    void entityAndKindRegionsUseTheirPostingListsToo() throws IOException {
        try (JournalHarness h = new JournalHarness(StoreConfig.builder(dir).build())) {
            h.stage(event(h, "course:7", List.of()));
            h.stage(event(h, "course:8", List.of()));
            h.writer.commit();
            AppendConditionFailedException e = h.writer.checkConditions(new PendingEvent[] {conditional(
                    event(h, "x", List.of()), AppendCondition.noneMatching(Region.entity("course:8"), -1))});
            assertEquals(1, e.conflictingGlobalSequence());
            assertNull(h.writer.checkConditions(new PendingEvent[] {conditional(event(h, "x", List.of()),
                    AppendCondition.noneMatching(Region.entity("course:8").withKind(EventKind.of(2, 2)), -1))}));
        }
    }

    @Test
    void aConditionOverSeveralRegionsFailsOnTheFirstEventOfAnyOfThem() throws IOException {
        try (JournalHarness h = new JournalHarness(StoreConfig.builder(dir).build())) {
            h.stage(event(h, "course:7", List.of("course:7")));
            h.stage(event(h, "student:1", List.of("student:1")));
            h.writer.commit();
            Region student = Region.tag("student:1");
            AppendConditionFailedException first = h.writer.checkConditions(new PendingEvent[] {conditional(
                    event(h, "x", List.of()), AppendCondition.noneMatchingAny(List.of(student, COURSE), -1))});
            assertEquals(0, first.conflictingGlobalSequence());
            assertEquals(COURSE, first.region(), "the region the conflicting event matches");
            AppendConditionFailedException second = h.writer.checkConditions(new PendingEvent[] {conditional(
                    event(h, "x", List.of()), AppendCondition.noneMatchingAny(List.of(COURSE, student), 0))});
            assertEquals(1, second.conflictingGlobalSequence());
            assertEquals(student, second.region());
            assertNull(h.writer.checkConditions(new PendingEvent[] {conditional(event(h, "x", List.of()),
                    AppendCondition.noneMatchingAny(List.of(COURSE, student), 1))}));
        }
    }
}
