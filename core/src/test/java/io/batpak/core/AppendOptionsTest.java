package io.batpak.core;

import io.batpak.core.error.InvalidAppendException;
import io.batpak.core.error.InvalidInputException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AppendOptionsTest {

    @Test
    void defaultsHaveNoConditionKeyOrLinks() {
        AppendOptions d = AppendOptions.DEFAULT;
        assertSame(ExpectedSequence.ANY, d.expected());
        assertNull(d.idempotencyKey());
        assertNull(d.correlationId());
        assertNull(d.causationId());
        assertEquals(0, d.flags());
        AppendOptions built = AppendOptions.builder().build();
        assertSame(ExpectedSequence.ANY, built.expected());
        assertNull(built.idempotencyKey());
    }

    @Test
    void builderSetsEveryField() {
        EventId corr = EventId.generate();
        EventId cause = EventId.generate();
        UUID key = UUID.randomUUID();
        AppendOptions o = AppendOptions.builder().expect(ExpectedSequence.exact(4)).idempotencyKey(key)
                .correlationId(corr).causationId(cause).flags(0xFF).build();
        assertEquals(ExpectedSequence.exact(4), o.expected());
        assertEquals(IdempotencyKey.of(key), o.idempotencyKey());
        assertEquals(key.getMostSignificantBits(), o.idempotencyKey().msb());
        assertEquals(key.getLeastSignificantBits(), o.idempotencyKey().lsb());
        assertEquals(corr, o.correlationId());
        assertEquals(cause, o.causationId());
        assertEquals(255, o.flags());

        AppendOptions copy = o.toBuilder().flags(1).build();
        assertEquals(1, copy.flags());
        assertEquals(o.expected(), copy.expected());
        assertEquals(o.idempotencyKey(), copy.idempotencyKey());
        assertEquals(o.correlationId(), copy.correlationId());
        assertEquals(o.causationId(), copy.causationId());
        assertEquals(255, o.flags(), "the original is unchanged");

        assertEquals(IdempotencyKey.of(1, 2), AppendOptions.builder().idempotencyKey(1, 2).build().idempotencyKey());
        assertNull(o.toBuilder().idempotencyKey((UUID) null).build().idempotencyKey());
        assertNull(o.toBuilder().correlationId(null).causationId(null).build().causationId());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 127, 128, 255})
    void flagsInRangeAreKept(int flags) {
        assertEquals(flags, AppendOptions.builder().flags(flags).build().flags());
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 256, 1000, Integer.MIN_VALUE, Integer.MAX_VALUE})
    void flagsOutOfRangeAreRejected(int flags) {
        InvalidAppendException e = assertThrows(InvalidAppendException.class, () -> AppendOptions.builder().flags(flags));
        assertTrue(e.getMessage().contains("flags"), e.getMessage());
        assertTrue(e.getMessage().contains(Integer.toString(flags)), e.getMessage());
    }

    @Test
    void nilCorrelationAndCausationAreRejected() {
        EventId nil = new EventId(0, 0);
        assertTrue(assertThrows(InvalidAppendException.class, () -> AppendOptions.builder().correlationId(nil))
                .getMessage().contains("correlation"));
        assertTrue(assertThrows(InvalidAppendException.class, () -> AppendOptions.builder().causationId(nil))
                .getMessage().contains("causation"));
        // Any non-nil id is fine, even one with only one bit set.
        assertEquals(new EventId(0, 1), AppendOptions.builder().causationId(new EventId(0, 1)).build().causationId());
    }

    @Test
    void nullExpectedIsRejected() {
        assertThrows(InvalidInputException.class, () -> AppendOptions.builder().expect(null));
    }

    @Test
    void allZeroIdempotencyKeyIsRejected() {
        assertThrows(InvalidAppendException.class, () -> new IdempotencyKey(0, 0));
        assertThrows(InvalidAppendException.class, () -> IdempotencyKey.of(0, 0));
        assertThrows(InvalidAppendException.class, () -> IdempotencyKey.of(new UUID(0, 0)));
        assertThrows(InvalidAppendException.class, () -> IdempotencyKey.of((UUID) null));
        assertThrows(InvalidAppendException.class, () -> AppendOptions.builder().idempotencyKey(0, 0));
        assertThrows(InvalidAppendException.class, () -> AppendOptions.builder().idempotencyKey(new UUID(0, 0)));
        // Half-zero keys are fine.
        assertEquals(0, IdempotencyKey.of(0, 1).msb());
        assertEquals(0, IdempotencyKey.of(1, 0).lsb());
        UUID u = UUID.randomUUID();
        assertEquals(u.toString(), IdempotencyKey.of(u).toString());
    }
}
