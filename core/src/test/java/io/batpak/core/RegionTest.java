package io.batpak.core;

import io.batpak.core.error.InvalidRegionException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RegionTest {
    private static final EventKind K = EventKind.of(0x2, 0x010);

    @Test
    void entityPrefixMatchesByNamespace() {
        Region r = Region.entity("order");
        assertTrue(r.matchesEntity("order"));
        assertTrue(r.matchesEntity("order:42"));
        assertTrue(r.matchesEntity("order:42:line:1"));
        assertTrue(r.matchesEntity("order:"), "an empty child name is still inside the namespace");
        assertFalse(r.matchesEntity("orders"));
        assertFalse(r.matchesEntity("orde"));
        assertFalse(r.matchesEntity("order-42"));
        assertFalse(r.matchesEntity("xorder:1"));
        assertFalse(r.matchesEntity("Order:1"), "matching is case-sensitive");
        Region nested = Region.entity("order:42");
        assertTrue(nested.matchesEntity("order:42:line:1"));
        assertFalse(nested.matchesEntity("order:420"));
        assertFalse(nested.matchesEntity("order"));
    }

    @Test
    void allMatchesEverything() {
        assertTrue(Region.all().matches("any", "scope", 0x1234, 99));
        assertEquals("entity=*|scope=*|kind=*|seq=0..*", Region.all().identity());
    }

    @Test
    void scopeIsExact() {
        Region r = Region.scope("eu");
        assertTrue(r.matches("a", "eu", K.raw(), 0));
        assertFalse(r.matches("a", "eu-west", K.raw(), 0));
        assertFalse(r.matches("a", "EU", K.raw(), 0));
    }

    @Test
    void kindIsExactAndCategoryMatchesUpperBits() {
        Region kind = Region.all().withKind(K);
        assertTrue(kind.matches("a", "s", K.raw(), 0));
        assertFalse(kind.matches("a", "s", EventKind.of(0x2, 0x011).raw(), 0));
        Region cat = Region.all().withCategory(0x2);
        assertTrue(cat.matches("a", "s", EventKind.of(0x2, 0xFFF).raw(), 0));
        assertTrue(cat.matches("a", "s", EventKind.of(0x2, 0).raw(), 0));
        assertFalse(cat.matches("a", "s", EventKind.of(0x3, 0x010).raw(), 0));
        assertEquals(-1, cat.kindFilter());
        assertEquals(0x2, cat.categoryFilter());
    }

    @Test
    void laterKindFilterReplacesTheEarlierOne() {
        Region r = Region.all().withCategory(0x3).withKind(K);
        assertEquals(-1, r.categoryFilter());
        assertTrue(r.matchesKind(K.raw()));
        Region back = r.withCategory(0x3);
        assertEquals(-1, back.kindFilter());
        assertFalse(back.matchesKind(K.raw()));
    }

    @Test
    void sequenceRangeIsInclusive() {
        Region r = Region.entity("e").withSequenceRange(2, 4);
        assertFalse(r.matches("e", "s", 1, 1));
        assertTrue(r.matches("e", "s", 1, 2));
        assertTrue(r.matches("e", "s", 1, 4));
        assertFalse(r.matches("e", "s", 1, 5));
        assertTrue(Region.all().withSequenceRange(3, 3).matchesSequence(3));
    }

    @Test
    void invalidFiltersAreRejectedWithTypedErrors() {
        InvalidRegionException inverted = assertThrows(InvalidRegionException.class,
                () -> Region.all().withSequenceRange(5, 4));
        assertTrue(inverted.getMessage().contains("inverted"), inverted.getMessage());
        assertThrows(InvalidRegionException.class, () -> Region.all().withSequenceRange(-1, 4));
        InvalidRegionException cat = assertThrows(InvalidRegionException.class, () -> Region.all().withCategory(16));
        assertTrue(cat.getMessage().contains("16"), cat.getMessage());
        assertThrows(InvalidRegionException.class, () -> Region.all().withCategory(-1));
        assertThrows(InvalidRegionException.class, () -> Region.entity(""));
        assertThrows(InvalidRegionException.class, () -> Region.entity("a/b"));
        assertThrows(InvalidRegionException.class, () -> Region.entity("a|b"));
        assertThrows(InvalidRegionException.class, () -> Region.scope("x=y"));
        assertThrows(InvalidRegionException.class, () -> Region.entity(null));
    }

    @Test
    void identityIsCanonicalAndDistinguishesRegions() {
        Region r = Region.entity("order").withScope("eu").withKind(K).withSequenceRange(1, 9);
        assertEquals("entity=order|scope=eu|kind=0x2010|seq=1..9", r.identity());
        assertEquals("entity=*|scope=*|kind=cat:0xA|seq=0..*", Region.all().withCategory(0xA).identity());
        Region same = Region.entity("order").withSequenceRange(1, 9).withKind(K).withScope("eu");
        assertEquals(r, same);
        assertEquals(r.identity(), same.identity());
        assertEquals(r.hashCode(), same.hashCode());
        assertNotEquals(r.identity(), Region.entity("order").withScope("eu").withKind(K).identity());
        assertNotEquals(Region.entity("order").identity(), Region.entity("order:1").identity());
    }

    @Test
    void matchesStoredEventFields() {
        PayloadCodec codec = PayloadCodec.defaultCodec();
        StoredEvent e = new StoredEvent(EventId.generate(), Coordinate.of("order:1", "eu"), K, 3, 10, 1, null, null, 0,
                0, Hash.ZERO, Hash.ZERO, new byte[0], codec);
        assertTrue(Region.entity("order").withScope("eu").withKind(K).withSequenceRange(3, 3).matches(e));
        assertFalse(Region.entity("order").withSequenceRange(0, 2).matches(e));
    }
}
