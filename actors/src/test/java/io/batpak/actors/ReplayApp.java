package io.batpak.actors;

import io.batpak.core.EventIterator;
import io.batpak.core.ReadOnlyStore;
import io.batpak.core.Region;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import java.nio.file.Path;

/** Child JVM for {@code ReplayTest}: replays a whole store read-only and prints the count and payload bytes. */
public final class ReplayApp {
    private ReplayApp() {
    }

    public static void main(String[] args) {
        long events = 0;
        long bytes = 0;
        try (ReadOnlyStore store = ReadOnlyStore.open(StoreConfig.builder(Path.of(args[0])).build());
             EventIterator it = store.replay(Region.all(), -1)) {
            while (it.hasNext()) {
                StoredEvent e = it.next();
                if (e.globalSequence() != events) {
                    throw new IllegalStateException("event " + e.globalSequence() + " where " + events + " was due");
                }
                events++;
                bytes += e.payload().length;
            }
        }
        System.out.println("replayed " + events + " events, " + bytes + " payload bytes, max heap "
                + Runtime.getRuntime().maxMemory());
        System.out.flush();
    }
}
