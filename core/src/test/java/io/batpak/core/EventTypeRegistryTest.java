package io.batpak.core;

import io.batpak.core.error.EventTypeConflictException;
import io.batpak.core.error.EventTypeMismatchException;
import io.batpak.core.error.FutureVersionException;
import io.batpak.core.error.InvalidEventTypeException;
import io.batpak.core.error.MissingUpcasterException;
import io.batpak.core.error.UpcastException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Registration of typed event classes and upcasters, and typed decoding with upcasting. */
class EventTypeRegistryTest {
    private static final PayloadCodec CODEC = PayloadCodec.defaultCodec();
    private static final EventKind PERSON = EventKind.of(0x3, 0x042);

    @EventType(category = 0x3, type = 0x042, version = 1)
    public record PersonV1(String name) {
    }

    @EventType(category = 0x3, type = 0x042, version = 2)
    public record PersonV2(String first, String last) {
    }

    @EventType(category = 0x3, type = 0x042, version = 3)
    public record PersonV3(String first, String last, String email) {
    }

    @EventType(category = 0x3, type = 0x043)
    public record Renamed(String to) {
    }

    /** A plain class (not a record) can be an event type too. */
    @EventType(category = 0xF, type = 0xFFF, version = 65535)
    public static final class Largest {
        public int n;
    }

    public record NotAnnotated(String x) {
    }

    @EventType(category = 0x0, type = 0x001)
    public record SystemCategory(String x) {
    }

    @EventType(category = 0xD, type = 0x001)
    public record EffectCategory(String x) {
    }

    @EventType(category = 0x1, type = 0x001, version = 0)
    public record VersionZero(String x) {
    }

    @EventType(category = 0x1, type = 0x1000)
    public record TypeTooLarge(String x) {
    }

    @EventType(category = 0x1, type = 0x001, version = 65536)
    public record VersionTooLarge(String x) {
    }

    private static Upcaster splitName(List<String> calls) {
        return node -> {
            calls.add("1->2");
            String[] parts = node.remove("name").asText().split(" ", 2);
            node.put("first", parts[0]);
            node.put("last", parts.length > 1 ? parts[1] : "");
            return node;
        };
    }

    private static Upcaster addEmail(List<String> calls) {
        return node -> {
            calls.add("2->3");
            ObjectNode next = node.objectNode();
            next.setAll(node);
            next.put("email", node.get("first").asText().toLowerCase() + "@example.org");
            return next;
        };
    }

    @Test
    void describeReadsKindAndVersionFromTheAnnotation() {
        EventTypeRegistry.Registration r = EventTypeRegistry.describe(PersonV2.class);
        assertEquals(PersonV2.class, r.type());
        assertEquals(PERSON, r.kind());
        assertEquals(2, r.version());
        assertEquals(1, EventTypeRegistry.describe(Renamed.class).version(), "version defaults to 1");
        EventTypeRegistry.Registration largest = EventTypeRegistry.describe(Largest.class);
        assertEquals(EventKind.of(0xF, 0xFFF), largest.kind());
        assertEquals(65535, largest.version());
    }

    @Test
    void invalidOrMissingAnnotationsAreTypedErrorsNamingTheClass() {
        InvalidEventTypeException missing = assertThrows(InvalidEventTypeException.class,
                () -> new EventTypeRegistry().register(NotAnnotated.class));
        assertTrue(missing.getMessage().contains(NotAnnotated.class.getName()), missing.getMessage());
        assertTrue(missing.getMessage().contains("@EventType"), missing.getMessage());
        for (Class<?> bad : List.of(SystemCategory.class, EffectCategory.class, VersionZero.class, TypeTooLarge.class,
                VersionTooLarge.class)) {
            InvalidEventTypeException e = assertThrows(InvalidEventTypeException.class,
                    () -> EventTypeRegistry.describe(bad), bad.getName());
            assertTrue(e.getMessage().contains(bad.getName()), e.getMessage());
        }
        assertTrue(assertThrows(InvalidEventTypeException.class, () -> EventTypeRegistry.describe(SystemCategory.class))
                .getMessage().contains("reserved"));
        assertThrows(InvalidEventTypeException.class, () -> AppendRequest.typed(Coordinate.of("e", "s"),
                new NotAnnotated("x")));
    }

    @Test
    void twoClassesClaimingOneKindFailAtRegistrationNamingBoth() {
        EventTypeRegistry registry = new EventTypeRegistry();
        EventTypeRegistry.Registration first = registry.register(PersonV1.class);
        assertSame(first, registry.register(PersonV1.class), "registering a class again is a no-op");
        EventTypeConflictException e = assertThrows(EventTypeConflictException.class,
                () -> registry.register(PersonV2.class));
        assertEquals(PERSON, e.kind());
        assertEquals(PersonV1.class, e.registered());
        assertEquals(PersonV2.class, e.rejected());
        assertTrue(e.getMessage().contains(PersonV1.class.getName()) && e.getMessage().contains(PersonV2.class.getName())
                && e.getMessage().contains("0x3042"), e.getMessage());
        assertEquals(PersonV1.class, registry.forKind(PERSON).orElseThrow().type());
        assertFalse(registry.forClass(PersonV2.class).isPresent());
        registry.register(Renamed.class);
        assertEquals(List.of(PersonV1.class, Renamed.class),
                registry.registrations().stream().map(EventTypeRegistry.Registration::type).toList());
    }

    @Test
    void upcasterRegistrationIsChecked() {
        EventTypeRegistry registry = new EventTypeRegistry();
        registry.registerUpcaster(PERSON, 1, n -> n);
        assertThrows(InvalidEventTypeException.class, () -> registry.registerUpcaster(PERSON, 1, n -> n),
                "a step registered twice");
        assertThrows(InvalidEventTypeException.class, () -> registry.registerUpcaster(PERSON, 0, n -> n));
        assertThrows(InvalidEventTypeException.class,
                () -> registry.registerUpcaster(EventKind.of(0x0, 0x042), 1, n -> n), "reserved kind");
        // An upcaster from version 1 is useless for a version-1 type: refused when the class registers.
        InvalidEventTypeException beyond = assertThrows(InvalidEventTypeException.class,
                () -> registry.register(PersonV1.class));
        assertTrue(beyond.getMessage().contains("version 1 of " + PersonV1.class.getName()), beyond.getMessage());
        assertFalse(registry.forClass(PersonV1.class).isPresent());
        registry.register(PersonV3.class);
        registry.registerUpcaster(PersonV3.class, 2, n -> n);
        InvalidEventTypeException tooHigh = assertThrows(InvalidEventTypeException.class,
                () -> registry.registerUpcaster(PERSON, 3, n -> n));
        assertTrue(tooHigh.getMessage().contains("from version 3 to 4"), tooHigh.getMessage());
    }

    @Test
    void upcastChainAppliesEveryStepInOrder() {
        List<String> calls = new ArrayList<>();
        EventTypeRegistry registry = new EventTypeRegistry();
        registry.register(PersonV3.class);
        registry.registerUpcaster(PERSON, 2, addEmail(calls));
        registry.registerUpcaster(PERSON, 1, splitName(calls));
        PayloadCodec codec = CODEC.withEventTypes(registry);

        byte[] v1 = CODEC.encode(new PersonV1("Ada Lovelace"));
        assertEquals(new PersonV3("Ada", "Lovelace", "ada@example.org"), codec.decodeEvent(PERSON, 1, v1, PersonV3.class));
        assertEquals(List.of("1->2", "2->3"), calls);

        calls.clear();
        byte[] v2 = CODEC.encode(new PersonV2("Grace", "Hopper"));
        assertEquals(new PersonV3("Grace", "Hopper", "grace@example.org"), codec.decodeEvent(PERSON, 2, v2, PersonV3.class));
        assertEquals(List.of("2->3"), calls);

        calls.clear();
        byte[] v3 = CODEC.encode(new PersonV3("Alan", "Turing", "alan@x"));
        assertEquals(new PersonV3("Alan", "Turing", "alan@x"), codec.decodeEvent(PERSON, 3, v3, PersonV3.class));
        assertEquals(new PersonV3("Alan", "Turing", "alan@x"), codec.decodeEvent(PERSON, 0, v3, PersonV3.class),
                "version 0 (untyped append) decodes as the current shape");
        assertEquals(List.of(), calls, "no upcaster runs for the current version");
    }

    @Test
    void futureVersionMissingStepKindMismatchAndFailingStepAreTypedErrors() {
        EventTypeRegistry registry = new EventTypeRegistry();
        registry.register(PersonV3.class);
        registry.registerUpcaster(PERSON, 2, n -> n);
        PayloadCodec codec = CODEC.withEventTypes(registry);

        FutureVersionException future = assertThrows(FutureVersionException.class,
                () -> codec.decodeEvent(PERSON, 4, CODEC.encode(Map.of("first", "x")), PersonV3.class));
        assertEquals(PERSON, future.kind());
        assertEquals(4, future.storedVersion());
        assertEquals(3, future.knownVersion());

        MissingUpcasterException missing = assertThrows(MissingUpcasterException.class,
                () -> codec.decodeEvent(PERSON, 1, CODEC.encode(new PersonV1("A B")), PersonV3.class));
        assertEquals(PERSON, missing.kind());
        assertEquals(1, missing.fromVersion());
        assertEquals(2, missing.toVersion());
        assertTrue(missing.getMessage().contains("0x3042") && missing.getMessage().contains("from version 1 to 2"),
                missing.getMessage());

        EventTypeMismatchException mismatch = assertThrows(EventTypeMismatchException.class,
                () -> codec.decodeEvent(EventKind.of(0x3, 0x043), 1, CODEC.encode(new Renamed("x")), PersonV3.class));
        assertEquals(PersonV3.class, mismatch.type());

        EventTypeRegistry failing = new EventTypeRegistry();
        failing.register(PersonV2.class);
        failing.registerUpcaster(PERSON, 1, n -> {
            throw new IllegalStateException("cannot split");
        });
        UpcastException step = assertThrows(UpcastException.class, () -> CODEC.withEventTypes(failing)
                .decodeEvent(PERSON, 1, CODEC.encode(new PersonV1("x")), PersonV2.class));
        assertEquals(1, step.fromVersion());
        assertEquals(2, step.toVersion());
        assertInstanceOf(IllegalStateException.class, step.getCause());

        EventTypeRegistry nulls = new EventTypeRegistry();
        nulls.registerUpcaster(PersonV2.class, 1, n -> null);
        assertThrows(UpcastException.class, () -> CODEC.withEventTypes(nulls)
                .decodeEvent(PERSON, 1, CODEC.encode(new PersonV1("x")), PersonV2.class));
        assertThrows(UpcastException.class, () -> CODEC.withEventTypes(nulls)
                .decodeEvent(PERSON, 1, CODEC.encode(List.of("not", "a", "map")), PersonV2.class),
                "a payload that is not a map cannot be upcast");
    }

    @Test
    void unboundCodecDecodesTypedClassesWithoutUpcasters() {
        byte[] v2 = CODEC.encode(new PersonV2("a", "b"));
        assertEquals(new PersonV2("a", "b"), CODEC.decodeEvent(PERSON, 2, v2, PersonV2.class));
        assertThrows(MissingUpcasterException.class, () -> CODEC.decodeEvent(PERSON, 1, v2, PersonV3.class));
        assertArrayEquals(v2, CODEC.decodeEvent(PERSON, 2, v2, byte[].class), "byte[] stays raw");
    }

    @Test
    void copiesAreIndependent() {
        EventTypeRegistry a = new EventTypeRegistry();
        a.register(PersonV1.class);
        EventTypeRegistry b = a.copy();
        b.register(Renamed.class);
        assertTrue(b.forClass(PersonV1.class).isPresent());
        assertFalse(a.forClass(Renamed.class).isPresent());
    }
}
