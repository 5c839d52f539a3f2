package io.batpak.actors;

import io.batpak.core.StoreConfig;
import io.batpak.core.error.InvalidInputException;
import java.nio.file.Path;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The ActorSystem extension that opens batpak stores with the system's configuration: both the store's settings
 * ({@code batpak { }} of the system's config, so an {@code application.conf} given to the system applies) and the
 * runtime settings. One instance per system ({@link #get}); thread-safe.
 *
 * <pre>{@code
 * BatpakStore store = BatpakStores.get(system).open(Path.of("data/orders"));
 * }</pre>
 *
 * Stores opened here run their actors in the system and close in its CoordinatedShutdown, before the system stops.
 */
public final class BatpakStores implements Extension {
    private static final ExtensionId<BatpakStores> ID = new ExtensionId<>() {
        @Override
        public BatpakStores createExtension(ActorSystem<?> system) {
            return new BatpakStores(system);
        }
    };

    private final ActorSystem<?> system;
    private final RuntimeSettings settings;

    private BatpakStores(ActorSystem<?> system) {
        this.system = system;
        this.settings = RuntimeSettings.fromConfig(system.settings().config());
    }

    /** The extension of {@code system}, created on first use. */
    public static BatpakStores get(ActorSystem<?> system) {
        InvalidInputException.requireArgument(system, "system");
        return ID.apply(system);
    }

    /** A store configuration builder for {@code dataDir}, starting from the system's {@code batpak { }} settings. */
    public StoreConfig.Builder configBuilder(Path dataDir) {
        return StoreConfig.builder(dataDir, system.settings().config());
    }

    /** Opens the store in {@code dataDir} with the system's settings. */
    public BatpakStore open(Path dataDir) {
        return open(configBuilder(dataDir).build());
    }

    /** Opens a store with {@code config} in the system, with the system's runtime settings. */
    public BatpakStore open(StoreConfig config) {
        return BatpakStore.open(config, system, settings);
    }

    /** The runtime settings of the system's configuration. */
    public RuntimeSettings settings() {
        return settings;
    }
}
