package io.batpak.core;

import io.batpak.core.error.GateDeniedException;
import io.batpak.core.error.InvalidInputException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Gate verdicts, proposals and denial errors. */
class GateVerdictTest {
    @Test
    void permitAndDeny() {
        GateVerdict p = GateVerdict.permit();
        assertTrue(p.permitted());
        assertNull(p.code());
        GateVerdict d = GateVerdict.deny("LIMIT", "over the limit");
        assertFalse(d.permitted());
        assertEquals("LIMIT", d.code());
        assertEquals("over the limit", d.message());
        assertEquals("", GateVerdict.deny("X", null).message());
        assertThrows(InvalidInputException.class, () -> GateVerdict.deny(null, "m"));
        assertThrows(InvalidInputException.class, () -> GateVerdict.deny(" ", "m"));
    }

    @Test
    void proposalExposesTheAppendAndTheHead() {
        PayloadCodec codec = PayloadCodec.defaultCodec();
        byte[] payload = codec.encode("hello");
        Hash head = Hash.of(new byte[32]);
        GateProposal p = new GateProposal(Coordinate.of("e", "s"), EventKind.of(1, 2), payload, 0,
                AppendOptions.DEFAULT, 4, head, -1, codec);
        assertEquals(5, p.entitySequence());
        assertEquals(4, p.entityLastSequence());
        assertEquals("hello", p.payloadAs(String.class));
        assertArrayEquals(payload, p.payload());
        p.payload()[0] = 0;
        assertArrayEquals(payload, p.payload(), "payload() is a copy");
        assertEquals(payload.length, p.payloadLength());
    }

    @Test
    void deniedExceptionNamesGateCodeAndMessage() {
        GateDeniedException e = new GateDeniedException("quota", "LIMIT", "too many", Coordinate.of("e", "s"),
                EventKind.of(1, 2), 3);
        assertEquals("quota", e.gate());
        assertEquals("LIMIT", e.code());
        assertEquals("too many", e.denialMessage());
        assertEquals(3, e.batchItem());
        assertTrue(e.getMessage().contains("\"quota\"") && e.getMessage().contains("LIMIT: too many")
                && e.getMessage().contains("batch item 3") && e.getMessage().contains("e@s"), e.getMessage());
    }

    @Test
    void systemDenialIsAReservedKind() {
        assertEquals(0x000F, EventKind.SYSTEM_DENIAL.raw());
        assertTrue(EventKind.SYSTEM_DENIAL.isReserved());
    }
}
