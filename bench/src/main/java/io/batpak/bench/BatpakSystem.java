package io.batpak.bench;

import io.batpak.actors.BatpakStore;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoreStats;
import io.batpak.core.SyncMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * batpak-jvm through its public facade: {@code BatpakStore.append} / {@code appendBatch} with raw {@code byte[]}
 * payloads, default settings except the sync mode, inside one ActorSystem shared by the whole run (as an embedding
 * application would).
 */
final class BatpakSystem implements AppendSystem {
    static final EventKind KIND = EventKind.of(1, 1);
    static final String SCOPE = "bench";

    private final SyncMode mode;
    private final ActorSystem<?> actorSystem;

    BatpakSystem(SyncMode mode, ActorSystem<?> actorSystem) {
        this.mode = mode;
        this.actorSystem = actorSystem;
    }

    @Override
    public String name() {
        return "batpak";
    }

    @Override
    public String configuration() {
        return "BatpakStore.open(StoreConfig.builder(dir).syncMode(" + mode + ").build(), system): reference.conf "
                + "defaults otherwise (64 MiB segments, group commit up to 4096 events / 8 MiB, 2 x cores partitions, "
                + "queue bound 65536); payloads are byte[]; entity \"appender:<i>\", scope \"bench\"";
    }

    static String entity(int appender) {
        return "appender:" + appender;
    }

    @Override
    public Session open(Path dir, Scenario s) {
        BatpakStore store = BatpakStore.open(StoreConfig.builder(dir).syncMode(mode).build(), actorSystem);
        return session(store, s, () -> store.closeAsync().toCompletableFuture().join());
    }

    /**
     * The appenders of scenario {@code s} on an open store: appender {@code i} appends to entity {@code appender:<i>}.
     * {@code close} runs when the session is closed (normally it closes the store).
     */
    static Async session(BatpakStore store, Scenario s, Runnable close) {
        byte[] payload = Payloads.of(s.payload());
        Coordinate[] coords = new Coordinate[s.appenders()];
        List<List<AppendRequest>> batches = new ArrayList<>();
        for (int i = 0; i < s.appenders(); i++) {
            coords[i] = Coordinate.of(entity(i), SCOPE);
            if (s.isBatch()) {
                List<AppendRequest> b = new ArrayList<>(s.batch());
                for (int j = 0; j < s.batch(); j++) {
                    b.add(AppendRequest.of(coords[i], KIND, payload));
                }
                batches.add(List.copyOf(b));
            }
        }
        return new Async() {
            @Override
            public CompletionStage<?> run(int appender, long op) {
                return s.isBatch() ? store.appendBatch(batches.get(appender))
                        : store.append(coords[appender], KIND, payload);
            }

            @Override
            public int eventsPerOp() {
                return s.batch();
            }

            @Override
            public Map<String, Long> counters() {
                StoreStats st = store.stats();
                return Map.of("fsyncs", st.fsyncs(), "appends", st.appends(), "groupCommits", st.groupCommits());
            }

            @Override
            public void close() {
                close.run();
            }
        };
    }
}
