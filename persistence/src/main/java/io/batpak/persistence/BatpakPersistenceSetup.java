package io.batpak.persistence;

import io.batpak.core.StoreConfig;
import io.batpak.core.error.InvalidInputException;
import java.util.function.UnaryOperator;
import org.apache.pekko.actor.setup.Setup;

/**
 * Programmatic store settings for the plugins' store, for what configuration cannot express (gates, signing keys,
 * a codec, an I/O fault hook in tests). Pass it when creating the ActorSystem:
 *
 * <pre>{@code
 * ActorSystem.create(behavior, "app", BootstrapSetup.create(config)
 *         .and(BatpakPersistenceSetup.create(b -> b.signingKeys(keys))));
 * }</pre>
 *
 * The function receives the builder already filled from {@code batpak { }} and {@code batpak.persistence.dir}.
 * Immutable.
 */
public final class BatpakPersistenceSetup extends Setup {
    private final UnaryOperator<StoreConfig.Builder> storeConfig;

    private BatpakPersistenceSetup(UnaryOperator<StoreConfig.Builder> storeConfig) {
        this.storeConfig = storeConfig;
    }

    /** A setup that adjusts the store configuration with {@code storeConfig}. */
    public static BatpakPersistenceSetup create(UnaryOperator<StoreConfig.Builder> storeConfig) {
        return new BatpakPersistenceSetup(InvalidInputException.requireArgument(storeConfig, "storeConfig"));
    }

    /** The adjustment of the store configuration. */
    public UnaryOperator<StoreConfig.Builder> storeConfig() {
        return storeConfig;
    }
}
