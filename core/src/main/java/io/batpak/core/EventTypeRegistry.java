package io.batpak.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batpak.core.error.EventTypeConflictException;
import io.batpak.core.error.EventTypeMismatchException;
import io.batpak.core.error.FutureVersionException;
import io.batpak.core.error.InvalidEventKindException;
import io.batpak.core.error.InvalidEventTypeException;
import io.batpak.core.error.InvalidInputException;
import io.batpak.core.error.MissingUpcasterException;
import io.batpak.core.error.PayloadEncodingException;
import io.batpak.core.error.UpcastException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The typed event classes and {@link Upcaster}s of one store: which class owns which {@link EventKind}, at which
 * schema version, and how older versions of a kind are brought up to date on read.
 *
 * <p>Classes are registered explicitly ({@link StoreConfig.Builder#eventType(Class)}) or on first use (a typed
 * append or read of an {@link EventType} class registers it). A kind belongs to one class: a second class claiming
 * it fails with {@link EventTypeConflictException} naming both, at registration. Registering a class again is a
 * no-op. Upcasters are registered per kind and source version and must form a chain below the type's version.
 *
 * <p>Typed decoding of a stored event of version {@code v} as a class of current version {@code c}
 * ({@link #decode}): {@code v == c} or {@code v == 0} (an untyped append) binds the payload directly; {@code v < c}
 * decodes the CBOR to a Jackson tree, applies the upcasters {@code v -> v+1 -> ... -> c} in order and binds the
 * result; {@code v > c} fails with {@link FutureVersionException}; a missing step fails with
 * {@link MissingUpcasterException}. Stored bytes are never rewritten. Thread-safe.
 */
public final class EventTypeRegistry {
    /** Largest payload version (the frame field is a u16). */
    public static final int MAX_VERSION = 0xFFFF;

    /** A typed event class with its kind and current version. */
    public record Registration(Class<?> type, EventKind kind, int version) {
    }

    private final Map<Class<?>, Registration> byClass = new ConcurrentHashMap<>();
    private final Map<EventKind, Registration> byKind = new ConcurrentHashMap<>();
    private final Map<EventKind, Map<Integer, Upcaster>> upcasters = new ConcurrentHashMap<>();

    /** An empty registry. */
    public EventTypeRegistry() {
    }

    /**
     * Reads and checks the {@link EventType} annotation of {@code type} without registering it.
     *
     * @throws InvalidEventTypeException when the annotation is missing or names a reserved category, an
     *                                   out-of-range type or a version outside 1..65535
     */
    public static Registration describe(Class<?> type) {
        InvalidInputException.requireArgument(type, "type");
        EventType a = type.getAnnotation(EventType.class);
        if (a == null) {
            throw new InvalidEventTypeException(type.getName() + " is not an event type: it has no @"
                    + EventType.class.getSimpleName() + "(category, type, version) annotation");
        }
        EventKind kind;
        try {
            kind = EventKind.of(a.category(), a.type());
        } catch (InvalidEventKindException e) {
            throw new InvalidEventTypeException("@EventType of " + type.getName() + ": " + e.getMessage());
        }
        if (kind.isReserved()) {
            throw new InvalidEventTypeException("@EventType of " + type.getName() + " names kind " + kind
                    + " in reserved category 0x" + Integer.toHexString(kind.category()).toUpperCase()
                    + " (0x0 system and 0xD effects are reserved for the store)");
        }
        if (a.version() < 1 || a.version() > MAX_VERSION) {
            throw new InvalidEventTypeException("@EventType of " + type.getName() + " has version " + a.version()
                    + "; a typed event's version must be in 1.." + MAX_VERSION + " (0 marks untyped appends)");
        }
        return new Registration(type, kind, a.version());
    }

    /**
     * Registers {@code type} (no-op when it already is) and returns its registration.
     *
     * @throws InvalidEventTypeException  when its annotation is missing or invalid, or an upcaster registered for
     *                                    its kind starts at or above its version
     * @throws EventTypeConflictException when another class already owns its kind
     */
    public Registration register(Class<?> type) {
        Registration r = byClass.get(InvalidInputException.requireArgument(type, "type"));
        if (r != null) {
            return r;
        }
        Registration d = describe(type);
        synchronized (this) {
            r = byClass.get(type);
            if (r != null) {
                return r;
            }
            Registration owner = byKind.get(d.kind());
            if (owner != null) {
                throw new EventTypeConflictException(d.kind(), owner.type(), type);
            }
            Map<Integer, Upcaster> steps = upcasters.get(d.kind());
            if (steps != null) {
                for (int from : steps.keySet()) {
                    checkStep(d, from);
                }
            }
            byKind.put(d.kind(), d);
            byClass.put(type, d);
            return d;
        }
    }

    /**
     * Registers the step that turns version {@code fromVersion} of {@code kind} into {@code fromVersion + 1}.
     *
     * @throws InvalidEventTypeException when {@code fromVersion} is below 1, not below the version of the class
     *                                   registered for the kind, the kind is reserved, or the step exists already
     */
    public synchronized void registerUpcaster(EventKind kind, int fromVersion, Upcaster upcaster) {
        InvalidInputException.requireArgument(kind, "kind");
        InvalidInputException.requireArgument(upcaster, "upcaster");
        if (kind.isReserved()) {
            throw new InvalidEventTypeException("cannot register an upcaster for reserved kind " + kind);
        }
        if (fromVersion < 1 || fromVersion >= MAX_VERSION) {
            throw new InvalidEventTypeException("upcaster for kind " + kind + " from version " + fromVersion
                    + ": the source version must be in 1.." + (MAX_VERSION - 1));
        }
        Registration owner = byKind.get(kind);
        if (owner != null) {
            checkStep(owner, fromVersion);
        }
        Map<Integer, Upcaster> steps = upcasters.computeIfAbsent(kind, k -> new ConcurrentHashMap<>());
        if (steps.containsKey(fromVersion)) {
            throw new InvalidEventTypeException("an upcaster for kind " + kind + " from version " + fromVersion
                    + " to " + (fromVersion + 1) + " is already registered");
        }
        steps.put(fromVersion, upcaster);
    }

    /**
     * Registers {@code type} and the step that turns its version {@code fromVersion} into {@code fromVersion + 1}.
     *
     * @see #registerUpcaster(EventKind, int, Upcaster)
     */
    public void registerUpcaster(Class<?> type, int fromVersion, Upcaster upcaster) {
        registerUpcaster(register(type).kind(), fromVersion, upcaster);
    }

    private static void checkStep(Registration owner, int fromVersion) {
        if (fromVersion >= owner.version()) {
            throw new InvalidEventTypeException("upcaster for kind " + owner.kind() + " from version " + fromVersion
                    + " to " + (fromVersion + 1) + " goes beyond version " + owner.version() + " of "
                    + owner.type().getName());
        }
    }

    /** The class registered for {@code kind}, if any. */
    public Optional<Registration> forKind(EventKind kind) {
        InvalidInputException.requireArgument(kind, "kind");
        return Optional.ofNullable(byKind.get(kind));
    }

    /** The registration of {@code type}, if it is registered. */
    public Optional<Registration> forClass(Class<?> type) {
        InvalidInputException.requireArgument(type, "type");
        return Optional.ofNullable(byClass.get(type));
    }

    /** Every registration, ordered by kind. */
    public List<Registration> registrations() {
        List<Registration> out = new ArrayList<>(byKind.values());
        out.sort(Comparator.comparing(Registration::kind));
        return out;
    }

    /** The upcaster from {@code fromVersion} of {@code kind}, if registered. */
    public Optional<Upcaster> upcaster(EventKind kind, int fromVersion) {
        InvalidInputException.requireArgument(kind, "kind");
        Map<Integer, Upcaster> steps = upcasters.get(kind);
        return Optional.ofNullable(steps == null ? null : steps.get(fromVersion));
    }

    /** An independent registry with the same registrations and upcasters. */
    public synchronized EventTypeRegistry copy() {
        EventTypeRegistry c = new EventTypeRegistry();
        c.byClass.putAll(byClass);
        c.byKind.putAll(byKind);
        upcasters.forEach((k, steps) -> c.upcasters.put(k, new ConcurrentHashMap<>(steps)));
        return c;
    }

    /**
     * Decodes a stored payload as {@code type} (registering it on first use), upcasting older versions.
     *
     * @param kind the stored event's kind
     * @param payloadVersion the stored event's payload version
     * @throws EventTypeMismatchException when {@code type} is another kind's class
     * @throws FutureVersionException when the stored version is newer than {@code type}'s
     * @throws MissingUpcasterException when a step from the stored version to {@code type}'s is not registered
     * @throws UpcastException when a step fails or the result does not bind to {@code type}
     * @throws PayloadEncodingException when the payload does not decode
     */
    public <T> T decode(PayloadCodec codec, EventKind kind, int payloadVersion, byte[] payload, Class<T> type) {
        return decode(codec, register(type), this, kind, payloadVersion, payload, type);
    }

    /** Typed decoding with no registry: the annotation of {@code type} and no upcasters. */
    static <T> T decodeUnregistered(PayloadCodec codec, EventKind kind, int payloadVersion, byte[] payload,
                                    Class<T> type) {
        return decode(codec, describe(type), null, kind, payloadVersion, payload, type);
    }

    private static <T> T decode(PayloadCodec codec, Registration r, EventTypeRegistry steps, EventKind kind,
                                int storedVersion, byte[] payload, Class<T> type) {
        if (!r.kind().equals(kind)) {
            throw new EventTypeMismatchException(kind, type, r.kind());
        }
        int current = r.version();
        if (storedVersion > current) {
            throw new FutureVersionException(kind, storedVersion, current, type);
        }
        if (storedVersion == 0 || storedVersion == current) {
            return codec.decode(payload, type);
        }
        Upcaster[] chain = new Upcaster[current - storedVersion];
        for (int v = storedVersion; v < current; v++) {
            Upcaster u = steps == null ? null : steps.upcaster(kind, v).orElse(null);
            if (u == null) {
                throw new MissingUpcasterException(kind, v, v + 1, storedVersion, type);
            }
            chain[v - storedVersion] = u;
        }
        JsonNode tree;
        try {
            tree = codec.mapper().readTree(payload);
        } catch (IOException e) {
            throw new PayloadEncodingException("cannot decode a version " + storedVersion + " payload of kind " + kind
                    + " to a tree: " + e.getMessage(), e);
        }
        if (!(tree instanceof ObjectNode node)) {
            throw new UpcastException(kind, storedVersion, storedVersion + 1, "the stored payload is not a CBOR map but "
                    + (tree == null ? "empty" : tree.getNodeType()), null);
        }
        for (int v = storedVersion; v < current; v++) {
            ObjectNode next;
            try {
                next = chain[v - storedVersion].upcast(node);
            } catch (RuntimeException e) {
                throw new UpcastException(kind, v, v + 1, "the upcaster threw " + e, e);
            }
            if (next == null) {
                throw new UpcastException(kind, v, v + 1, "the upcaster returned null", null);
            }
            node = next;
        }
        try {
            return codec.mapper().treeToValue(node, type);
        } catch (IOException | IllegalArgumentException e) {
            throw new UpcastException(kind, storedVersion, current, "the upcast payload does not bind to "
                    + type.getName() + ": " + e.getMessage(), e);
        }
    }
}
