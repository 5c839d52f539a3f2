package io.batpak.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.batpak.actors.BatpakStore;
import io.batpak.actors.BatpakStores;
import io.batpak.core.error.InvalidConfigException;
import io.batpak.core.error.StoreException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code batpak.persistence.journal-stores}: a configured {@link JournalStores} gives each entity's store. */
class JournalStoresTest {
    @TempDir
    Path dir;

    /** Every entity in one store of its own in {@code <persistence dir>-custom}. */
    public static final class OneStore implements JournalStores {
        final BatpakStore store;

        public OneStore(ActorSystem<?> system) {
            this.store = BatpakStores.get(system).open(Path.of(
                    system.settings().config().getString("batpak.persistence.dir") + "-custom"));
        }

        @Override
        public BatpakStore storeFor(String entity) {
            if (entity.startsWith("refused")) {
                throw new StoreException("not on this node: " + entity);
            }
            return store;
        }

        @Override
        public Collection<BatpakStore> stores() {
            return List.of(store);
        }
    }

    private ActorSystem<?> system(String stores) {
        return ActorSystem.create(Behaviors.empty(), "stores", ConfigFactory.parseString(
                "batpak.persistence.dir = \"" + dir.resolve("p").toString().replace("\\", "/") + "\"\n"
                        + "batpak.persistence.journal-stores = \"" + stores + "\"").withFallback(ConfigFactory.load()));
    }

    private static Throwable rootOf(Throwable t) {
        while (!(t instanceof StoreException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    @Test
    void theConfiguredStoresHoldTheJournalAndTheOneStoreIsNotOpened() {
        ActorSystem<?> system = system(OneStore.class.getName());
        try {
            BatpakPersistence p = BatpakPersistence.get(system);
            BatpakStore s = p.storeFor("any|entity");
            assertSame(s, p.storeFor("other|entity"));
            assertTrue(s.config().dataDir().toString().endsWith("p-custom"));
            StoreException one = assertThrows(StoreException.class, p::store);
            assertTrue(one.getMessage().contains("storeFor"), one.getMessage());
            assertThrows(StoreException.class, () -> p.storeFor("refused|x"));
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().join();
        }
    }

    @Test
    void aMissingClassOrOneThatIsNotJournalStoresIsRefusedNamingTheSetting() {
        for (String bad : List.of("no.such.Stores", String.class.getName())) {
            ActorSystem<?> system = system(bad);
            try {
                Throwable e = rootOf(assertThrows(RuntimeException.class, () -> BatpakPersistence.get(system)));
                assertEquals(InvalidConfigException.class, e.getClass(), e.toString());
                assertTrue(e.getMessage().contains("batpak.persistence.journal-stores"), e.getMessage());
            } finally {
                system.terminate();
                system.getWhenTerminated().toCompletableFuture().join();
            }
        }
    }
}
