package io.batpak.core;

import io.batpak.core.error.InvalidAppendException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExpectedSequenceTest {

    private static final long[] LAST_SEQUENCES = {-1, 0, 1, 2, 41, 42, 43, 1_000_000, Long.MAX_VALUE};

    @Test
    void anyMatchesEveryState() {
        for (long last : LAST_SEQUENCES) {
            assertTrue(ExpectedSequence.ANY.matches(last), "last=" + last);
        }
        assertTrue(ExpectedSequence.ANY.isAny());
        assertEquals(-1, ExpectedSequence.ANY.exactValue());
    }

    @Test
    void noStreamMatchesOnlyAnEmptyEntity() {
        for (long last : LAST_SEQUENCES) {
            assertEquals(last == -1, ExpectedSequence.NO_STREAM.matches(last), "last=" + last);
        }
        assertFalse(ExpectedSequence.NO_STREAM.isAny());
        assertEquals(-1, ExpectedSequence.NO_STREAM.exactValue());
    }

    @Test
    void streamExistsMatchesOnlyANonEmptyEntity() {
        for (long last : LAST_SEQUENCES) {
            assertEquals(last >= 0, ExpectedSequence.STREAM_EXISTS.matches(last), "last=" + last);
        }
        assertFalse(ExpectedSequence.STREAM_EXISTS.isAny());
        assertEquals(-1, ExpectedSequence.STREAM_EXISTS.exactValue());
    }

    @Test
    void exactMatchesOnlyThatLastSequence() {
        for (long n : new long[] {0, 1, 42, Long.MAX_VALUE}) {
            ExpectedSequence e = ExpectedSequence.exact(n);
            assertEquals(n, e.exactValue());
            assertFalse(e.isAny());
            for (long last : LAST_SEQUENCES) {
                assertEquals(last == n, e.matches(last), "exact(" + n + ") vs last=" + last);
            }
        }
        // exact(0) means "the entity has exactly one event", never "empty".
        assertFalse(ExpectedSequence.exact(0).matches(-1));
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, -2, -3, Long.MIN_VALUE})
    void negativeExactIsRejected(long n) {
        InvalidAppendException e = assertThrows(InvalidAppendException.class, () -> ExpectedSequence.exact(n));
        assertTrue(e.getMessage().contains(Long.toString(n)), e.getMessage());
        assertTrue(e.getMessage().contains("NO_STREAM"), e.getMessage());
    }

    @Test
    void exactDoesNotCollideWithTheSpecialConditions() {
        assertEquals(ExpectedSequence.exact(7), ExpectedSequence.exact(7));
        assertEquals(ExpectedSequence.exact(7).hashCode(), ExpectedSequence.exact(7).hashCode());
        assertNotEquals(ExpectedSequence.exact(7), ExpectedSequence.exact(8));
        assertNotEquals(ExpectedSequence.ANY, ExpectedSequence.NO_STREAM);
        assertNotEquals(ExpectedSequence.NO_STREAM, ExpectedSequence.STREAM_EXISTS);
        assertNotEquals(ExpectedSequence.exact(0), ExpectedSequence.NO_STREAM);
        assertEquals("ANY", ExpectedSequence.ANY.toString());
        assertEquals("NO_STREAM", ExpectedSequence.NO_STREAM.toString());
        assertEquals("STREAM_EXISTS", ExpectedSequence.STREAM_EXISTS.toString());
        assertEquals("exact(3)", ExpectedSequence.exact(3).toString());
    }
}
