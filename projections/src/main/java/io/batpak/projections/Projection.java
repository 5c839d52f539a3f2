package io.batpak.projections;

import io.batpak.core.EventKind;
import io.batpak.core.EventTypeRegistry;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.InvalidInputException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;

/**
 * The state of one entity folded from its events: a name, a schema version, the kinds it reads (empty: every
 * kind), an initial state and a fold. {@link Projections#project} caches the state per entity in LMDB (encoded
 * with the store's Jackson CBOR codec); changing the schema version or the kinds invalidates every cached state
 * of the projection. States must be immutable values Jackson can encode and decode as {@link #stateType()}.
 * Implementations must be thread-safe and their fold pure (the same events give the same state).
 *
 * <pre>{@code
 * Projection<Balance> balance = Projection.builder("balance", Balance.class)
 *         .version(2)
 *         .initial(new Balance(0))
 *         .on(Deposited.class, (b, d) -> new Balance(b.cents() + d.cents()))     // typed events: kind and upcasting
 *         .on(Withdrawn.class, (b, w) -> new Balance(b.cents() - w.cents()))
 *         .build();
 * }</pre>
 */
public interface Projection<S> {
    /** The projection's name, its identity in the cache (1 to 200 characters). */
    String name();

    /** The schema version of the state; a change invalidates cached states. */
    int schemaVersion();

    /** The kinds the fold reads; events of other kinds are skipped. Empty: every kind. */
    Set<EventKind> kinds();

    /** The class states are decoded as from the cache. */
    Class<S> stateType();

    /** The state of an entity with no (relevant) event. */
    S initialState();

    /** The state after {@code event}. */
    S apply(S state, StoredEvent event);

    /** Whether the fold reads {@code event}'s kind. */
    default boolean reads(StoredEvent event) {
        return kinds().isEmpty() || kinds().contains(event.kind());
    }

    /** Starts a projection named {@code name} whose state is of {@code stateType}. */
    static <S> Builder<S> builder(String name, Class<S> stateType) {
        return new Builder<>(name, stateType);
    }

    /** Builds a {@link Projection}; not thread-safe, the projection it builds is. */
    final class Builder<S> {
        private final String name;
        private final Class<S> stateType;
        private int version = 1;
        private S initial;
        private final Set<EventKind> kinds = new TreeSet<>((a, b) -> Integer.compare(a.raw(), b.raw()));
        private final Map<EventKind, BiFunction<S, StoredEvent, S>> byKind = new HashMap<>();
        private BiFunction<S, StoredEvent, S> fold;

        private Builder(String name, Class<S> stateType) {
            InvalidInputException.requireArgument(name, "name");
            if (name.isEmpty() || name.length() > 200) {
                throw new InvalidInputException("name", "a projection name must have 1 to 200 characters, was "
                        + name.length());
            }
            this.name = name;
            this.stateType = InvalidInputException.requireArgument(stateType, "stateType");
        }

        /** The schema version (default 1). */
        public Builder<S> version(int version) {
            this.version = version;
            return this;
        }

        /** The initial state (required). */
        public Builder<S> initial(S initial) {
            this.initial = InvalidInputException.requireArgument(initial, "initial");
            return this;
        }

        /** Reads events of these kinds (added to those of {@link #on}). */
        public Builder<S> kinds(EventKind... kinds) {
            for (EventKind k : kinds) {
                this.kinds.add(InvalidInputException.requireArgument(k, "kinds"));
            }
            return this;
        }

        /**
         * Folds events of the typed event class {@code type} (its kind, decoded and upcast through the store's
         * codec) with {@code step}.
         */
        public <E> Builder<S> on(Class<E> type, BiFunction<S, E, S> step) {
            InvalidInputException.requireArgument(step, "step");
            EventKind kind = EventTypeRegistry.describe(type).kind();
            kinds.add(kind);
            byKind.put(kind, (s, e) -> step.apply(s, e.payloadAs(type)));
            return this;
        }

        /** Folds every read event not handled by {@link #on} with {@code fold}. */
        public Builder<S> fold(BiFunction<S, StoredEvent, S> fold) {
            this.fold = InvalidInputException.requireArgument(fold, "fold");
            return this;
        }

        public Projection<S> build() {
            if (initial == null) {
                throw new InvalidInputException("initial", "projection " + name + " needs an initial state");
            }
            if (fold == null && byKind.isEmpty()) {
                throw new InvalidInputException("fold", "projection " + name + " needs a fold or at least one on(...)");
            }
            Set<EventKind> readKinds = Set.copyOf(new ArrayList<>(kinds));
            Map<EventKind, BiFunction<S, StoredEvent, S>> steps = Map.copyOf(byKind);
            BiFunction<S, StoredEvent, S> rest = fold;
            String n = name;
            int v = version;
            S init = initial;
            Class<S> type = stateType;
            return new Projection<>() {
                @Override
                public String name() {
                    return n;
                }

                @Override
                public int schemaVersion() {
                    return v;
                }

                @Override
                public Set<EventKind> kinds() {
                    return readKinds;
                }

                @Override
                public Class<S> stateType() {
                    return type;
                }

                @Override
                public S initialState() {
                    return init;
                }

                @Override
                public S apply(S state, StoredEvent event) {
                    BiFunction<S, StoredEvent, S> step = steps.get(event.kind());
                    if (step != null) {
                        return step.apply(state, event);
                    }
                    return rest == null ? state : rest.apply(state, event);
                }

                @Override
                public String toString() {
                    return "Projection[" + n + " v" + v + ", kinds " + readKinds + "]";
                }
            };
        }
    }

    /** The kinds, sorted, as text: part of the cache fingerprint. */
    static String kindsIdentity(Set<EventKind> kinds) {
        List<Integer> raw = new ArrayList<>();
        for (EventKind k : kinds) {
            raw.add(k.raw());
        }
        raw.sort(null);
        return raw.toString();
    }
}
