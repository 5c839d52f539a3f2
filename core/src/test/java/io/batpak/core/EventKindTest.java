package io.batpak.core;

import io.batpak.core.error.InvalidEventKindException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EventKindTest {

    @Test
    void categoryIsTheUpperFourBitsAndTypeTheLowerTwelve() {
        EventKind k = EventKind.of(0xA, 0x123);
        assertEquals(0xA123, k.raw());
        assertEquals(0xA, k.category());
        assertEquals(0x123, k.type());

        assertEquals(0xF000, EventKind.of(0xF, 0).raw());
        assertEquals(0x0FFF, EventKind.of(0, 0xFFF).raw());
        assertEquals(0xFFFF, EventKind.of(0xF, 0xFFF).raw());
        assertEquals(0x0000, EventKind.of(0, 0).raw());
    }

    @Test
    void everyCategoryAndTypeRoundTripsThroughRaw() {
        Set<Integer> raws = new HashSet<>();
        for (int c = 0; c <= EventKind.MAX_CATEGORY; c++) {
            for (int t = 0; t <= EventKind.MAX_TYPE; t++) {
                EventKind k = EventKind.of(c, t);
                assertEquals((c << 12) | t, k.raw());
                EventKind back = EventKind.fromRaw(k.raw());
                assertEquals(c, back.category());
                assertEquals(t, back.type());
                assertEquals(k, back);
                assertEquals(k.hashCode(), back.hashCode());
                assertTrue(raws.add(k.raw()), "raw values must be distinct");
            }
        }
        assertEquals(1 << 16, raws.size());
    }

    @ParameterizedTest
    @CsvSource({"-1,0", "16,0", "100,5", "0,-1", "0,4096", "15,65535", "-2147483648,0", "0,2147483647"})
    void outOfRangeCategoryOrTypeIsRejected(int category, int type) {
        InvalidEventKindException e = assertThrows(InvalidEventKindException.class, () -> EventKind.of(category, type));
        boolean badCategory = category < 0 || category > 15;
        String expected = badCategory ? "category " + category : "type " + type;
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0x10000, Integer.MAX_VALUE, Integer.MIN_VALUE})
    void outOfRangeRawIsRejected(int raw) {
        assertThrows(InvalidEventKindException.class, () -> EventKind.fromRaw(raw));
    }

    @Test
    void onlySystemAndEffectCategoriesAreReserved() {
        for (int c = 0; c <= 0xF; c++) {
            boolean expected = c == 0x0 || c == 0xD;
            for (int t : new int[] {0, 1, 0x7FF, 0xFFF}) {
                assertEquals(expected, EventKind.of(c, t).isReserved(), "category " + c + " type " + t);
            }
        }
        assertTrue(EventKind.fromRaw(0x0000).isReserved());
        assertTrue(EventKind.fromRaw(0xDFFF).isReserved());
        assertFalse(EventKind.fromRaw(0xC000).isReserved());
        assertFalse(EventKind.fromRaw(0xE000).isReserved());
    }

    @Test
    void toStringIsHexCategoryFollowedByThreeHexTypeDigits() {
        assertEquals("0xA123", EventKind.of(0xA, 0x123).toString());
        assertEquals("0x1001", EventKind.of(1, 1).toString());
        assertEquals("0x0000", EventKind.of(0, 0).toString());
        assertEquals("0xFFFF", EventKind.of(15, 4095).toString());
        assertEquals("0xD00A", EventKind.of(0xD, 10).toString());
        for (int c = 0; c <= 15; c++) {
            for (int t = 0; t <= 4095; t += 97) {
                String s = EventKind.of(c, t).toString();
                assertTrue(s.matches("0x[0-9A-F]{4}"), s);
                assertEquals(c, Character.digit(s.charAt(2), 16));
                assertEquals(t, Integer.parseInt(s.substring(3), 16));
            }
        }
    }

    @Test
    void ordersByRawValueUnsigned() {
        assertTrue(EventKind.of(0xF, 0).compareTo(EventKind.of(0x7, 0xFFF)) > 0, "0xF000 sorts after 0x7FFF");
        assertTrue(EventKind.of(1, 2).compareTo(EventKind.of(1, 3)) < 0);
        assertEquals(0, EventKind.of(3, 3).compareTo(EventKind.fromRaw(0x3003)));
        assertNotEquals(EventKind.of(1, 2), EventKind.of(2, 1));
    }
}
