package io.batpak.core.internal.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.EventKind;
import io.batpak.core.IndexEntry;
import io.batpak.core.Region;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.internal.index.RegionQuery;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Region queries against a naive model (every event checked one by one): random regions, including sequence
 * ranges and positions at the extremes of {@code long}, must give exactly the model's answer, whichever access
 * path (entity posting lists, the many-entity bit set, tag, kind or scope postings, the table) the query takes. The
 * extremes are drawn explicitly (jqwik's combined edge cases would outnumber the tries).
 */
class RegionQueryPropertyTest {
    private static final List<String> ENTITIES = new ArrayList<>(List.of("x", "x:1", "x:1:a", "x:2", "xy", "y", "y:1"));
    private static final List<String> PREFIXES = List.of("x", "x:1", "xy", "y", "m", "m:7", "nope", "x:1:a");
    private static final List<String> SCOPES = List.of("s1", "s2");
    /** "t:rare" is on few events (it drives), "t:common" on many, "t:never" on none. */
    private static final List<String> TAGS = List.of("t:common", "t:half", "t:rare", "t:never");
    private static final long TWO_32 = 1L << 32;

    private static Path dir;
    private static JournalHarness harness;
    private static List<StoredEvent> all;

    @BeforeContainer
    static void buildStore() throws IOException {
        for (int i = 0; i < 70; i++) {
            ENTITIES.add("m:" + i); // more entities than are merged from posting lists
        }
        dir = Files.createTempDirectory("region-property");
        harness = new JournalHarness(StoreConfig.builder(dir).build());
        Random r = new Random(42);
        for (int i = 0; i < 900; i++) {
            // Skewed towards a few entities, so some have long histories.
            String entity = r.nextInt(3) == 0 ? ENTITIES.get(r.nextInt(ENTITIES.size())) : ENTITIES.get(r.nextInt(4));
            List<String> tags = new ArrayList<>();
            if (r.nextInt(10) < 7) {
                tags.add("t:common");
            }
            if (r.nextBoolean()) {
                tags.add(0, "t:half");
            }
            if (r.nextInt(30) == 0) {
                tags.add("t:rare");
            }
            harness.stage(harness.build(io.batpak.core.Coordinate.of(entity, SCOPES.get(r.nextInt(2))),
                    EventKind.of(1 + r.nextInt(3), r.nextInt(3)), new byte[] {(byte) i}, 0, 0, null, null, null,
                    List.copyOf(tags)));
            if (r.nextInt(8) == 0) {
                harness.writer.commit();
            }
        }
        harness.writer.commit();
        all = new ArrayList<>();
        for (long g = 0; g <= harness.core.lastGlobalSequence(); g++) {
            all.add(harness.core.readAt(g));
        }
    }

    @AfterContainer
    static void removeStore() throws IOException {
        harness.close();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** A region as the model sees it. */
    record Spec(String prefix, String scope, int kind, int category, long from, long to, List<String> tags) {
        Region region() {
            Region r = prefix == null ? Region.all() : Region.entity(prefix);
            for (String t : tags) {
                r = r.withTag(t);
            }
            if (scope != null) {
                r = r.withScope(scope);
            }
            if (kind >= 0) {
                r = r.withKind(EventKind.fromRaw(kind));
            } else if (category >= 0) {
                r = r.withCategory(category);
            }
            return from == 0 && to == Long.MAX_VALUE ? r : r.withSequenceRange(from, to);
        }

        boolean matches(StoredEvent e) {
            String entity = e.coordinate().entity();
            boolean entityOk = prefix == null || entity.equals(prefix) || entity.startsWith(prefix + ":");
            boolean scopeOk = scope == null || scope.equals(e.coordinate().scope());
            int raw = e.kind().raw();
            boolean kindOk = kind >= 0 ? raw == kind : category < 0 || (raw >>> 12) == category;
            return entityOk && scopeOk && kindOk && e.entitySequence() >= from && e.entitySequence() <= to
                    && e.tags().containsAll(tags);
        }
    }

    @Provide
    Arbitrary<Spec> specs() {
        Arbitrary<String> prefix = Arbitraries.of(PREFIXES).injectNull(0.3);
        Arbitrary<String> scope = Arbitraries.of(SCOPES).injectNull(0.5);
        Arbitrary<Integer> kind = Arbitraries.oneOf(Arbitraries.just(-1),
                Arbitraries.integers().between(0, 2).map(t -> EventKind.of(1, t).raw()),
                Arbitraries.integers().between(0, 2).map(t -> EventKind.of(2, t).raw()));
        Arbitrary<Integer> category = Arbitraries.integers().between(-1, 4);
        Arbitrary<Long> bound = Arbitraries.oneOf(Arbitraries.longs().between(0, 400),
                Arbitraries.of(0L, 1L, Integer.MAX_VALUE - 1L, (long) Integer.MAX_VALUE, Integer.MAX_VALUE + 1L,
                        TWO_32 - 1, TWO_32, TWO_32 + 1, TWO_32 + 3, Long.MAX_VALUE - 1, Long.MAX_VALUE),
                Arbitraries.longs().between(0, Long.MAX_VALUE));
        Arbitrary<List<String>> tags = Arbitraries.oneOf(Arbitraries.just(List.<String>of()),
                Arbitraries.of(TAGS).list().ofMinSize(1).ofMaxSize(3).uniqueElements());
        return Combinators.combine(prefix, scope, kind, category, bound, bound, tags)
                .as((p, s, k, c, a, b, t) -> new Spec(p, s, k, k >= 0 ? -1 : c, Math.min(a, b), Math.max(a, b), t));
    }

    @Provide
    Arbitrary<Long> positions() {
        return Arbitraries.oneOf(Arbitraries.longs().between(-1, 1000),
                Arbitraries.of(-1L, (long) Integer.MAX_VALUE, TWO_32, Long.MAX_VALUE));
    }

    @Property(tries = 1500, edgeCases = EdgeCasesMode.NONE)
    void queryGivesExactlyTheModelsAnswer(@ForAll("specs") Spec spec, @ForAll("positions") long after,
                                          @ForAll("limits") int limit) {
        List<Long> expected = all.stream().filter(e -> e.globalSequence() > after && spec.matches(e))
                .map(StoredEvent::globalSequence).limit(limit).toList();
        List<Long> got = harness.core.queryIndex(spec.region(), after, limit).stream()
                .map(IndexEntry::globalSequence).toList();
        assertEquals(expected, got, spec + " after " + after + " limit " + limit);
        List<Long> events = harness.core.query(spec.region(), after, limit).stream()
                .map(StoredEvent::globalSequence).toList();
        assertEquals(expected, events, "query and queryIndex agree");
    }

    @Provide
    Arbitrary<Integer> limits() {
        return Arbitraries.oneOf(Arbitraries.integers().between(0, 50), Arbitraries.just(Integer.MAX_VALUE));
    }

    @Property(tries = 200, edgeCases = EdgeCasesMode.NONE)
    void positionsBeforeTheFirstEventMeanFromTheStart(@ForAll("specs") Spec spec,
                                                      @ForAll long before) {
        long after = Math.min(before, -1);
        int[] from = RegionQuery.select(harness.core.index(), spec.region(), after, Integer.MAX_VALUE);
        int[] start = RegionQuery.select(harness.core.index(), spec.region(), -1, Integer.MAX_VALUE);
        assertEquals(java.util.Arrays.toString(start), java.util.Arrays.toString(from));
    }

    /** The reported cases: ranges beyond int used to wrap, throw or return the wrong events. */
    @Example
    void sequenceRangesBeyondIntAreExact() {
        Region x = Region.entity("x");
        assertTrue(harness.core.query(x.withSequenceRange(Long.MAX_VALUE, Long.MAX_VALUE), -1, 100).isEmpty());
        assertTrue(harness.core.query(x.withSequenceRange(TWO_32, Long.MAX_VALUE), -1, 100).isEmpty());
        assertTrue(harness.core.query(x.withSequenceRange(TWO_32 + 1, TWO_32 + 3), -1, 100).isEmpty());
        List<StoredEvent> tail = harness.core.query(x.withSequenceRange(5, Long.MAX_VALUE), -1, 1000);
        assertTrue(!tail.isEmpty() && tail.stream().allMatch(e -> e.entitySequence() >= 5), tail::toString);
    }
}
