package io.batpak.core;

import io.batpak.core.error.EventTypeConflictException;
import io.batpak.core.error.InvalidConfigException;
import io.batpak.core.error.InvalidEventTypeException;
import io.batpak.core.error.InvalidInputException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The StoreConfig settings of typed events and gates. */
class TypedAndGateConfigTest {
    @TempDir
    Path dir;

    @EventType(category = 0x2, type = 0x001, version = 2)
    public record Opened(String owner) {
    }

    @EventType(category = 0x2, type = 0x001)
    public record AlsoOpened(String owner) {
    }

    public record Plain(String owner) {
    }

    private static Gate gate(String name) {
        return new Gate() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public GateVerdict evaluate(GateProposal proposal) {
                return GateVerdict.permit();
            }
        };
    }

    @Test
    void defaultsHaveNoGatesNoTypesAndDoNotRecordDenials() {
        StoreConfig c = StoreConfig.builder(dir).build();
        assertEquals(List.of(), c.gates());
        assertFalse(c.recordDenials());
        assertEquals(List.of(), c.eventTypes().registrations());
        assertFalse(ConfigFactory.defaultReference().getBoolean("batpak.gates.record-denials"));
    }

    @Test
    void recordDenialsComesFromConfigAndTheBuilder() {
        StoreConfig on = StoreConfig.builder(dir, ConfigFactory.parseString("batpak.gates.record-denials = on")
                .withFallback(ConfigFactory.defaultReference())).build();
        assertTrue(on.recordDenials());
        assertTrue(StoreConfig.builder(dir).recordDenials(true).build().recordDenials());
    }

    @Test
    void gatesKeepTheirOrderAndMustBeNamed() {
        Gate a = gate("a");
        Gate b = gate("b");
        Gate c = gate("c");
        assertEquals(List.of(a, b, c), StoreConfig.builder(dir).gate(a).gate(b).gate(c).build().gates());
        assertEquals(List.of(c, a), StoreConfig.builder(dir).gate(b).gates(List.of(c, a)).build().gates(),
                "gates(list) replaces");
        InvalidConfigException nameless = assertThrows(InvalidConfigException.class,
                () -> StoreConfig.builder(dir).gate(gate(" ")).build());
        assertTrue(nameless.getMessage().contains("batpak.gates"), nameless.getMessage());
        assertThrows(InvalidConfigException.class, () -> StoreConfig.builder(dir).gate(gate(null)).build());
        assertThrows(InvalidInputException.class, () -> StoreConfig.builder(dir).gate(null));
    }

    @Test
    void eventTypesRegisterOnTheBuilderAndFailThere() {
        StoreConfig.Builder b = StoreConfig.builder(dir).eventTypes(Opened.class).upcaster(Opened.class, 1, n -> n);
        EventTypeConflictException conflict = assertThrows(EventTypeConflictException.class,
                () -> b.eventType(AlsoOpened.class));
        assertEquals(Opened.class, conflict.registered());
        assertEquals(AlsoOpened.class, conflict.rejected());
        assertThrows(InvalidEventTypeException.class, () -> b.eventType(Plain.class));
        StoreConfig one = b.build();
        StoreConfig two = b.build();
        assertEquals(2, one.eventTypes().forKind(EventKind.of(0x2, 0x001)).orElseThrow().version());
        assertTrue(one.eventTypes().upcaster(EventKind.of(0x2, 0x001), 1).isPresent());
        assertNotSame(one.eventTypes(), two.eventTypes(), "each configuration has its own registry");
    }
}
