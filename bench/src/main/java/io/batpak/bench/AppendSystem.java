package io.batpak.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** A system under test that appends events. {@link #open} gives a fresh instance in an empty directory. */
public interface AppendSystem {

    /** Short, stable name used in results. */
    String name();

    /** How this system is configured, written into the results. */
    String configuration();

    Session open(Path dir, Scenario scenario) throws Exception;

    /** One open instance. Exactly one of {@link Threaded} or {@link Async}. */
    sealed interface Session extends AutoCloseable permits Threaded, Async {
        /** Counters sampled when the window opens and closes (empty when the system has none). */
        default Map<String, Long> counters() {
            return Map.of();
        }

        /** Events one operation stores. */
        int eventsPerOp();

        @Override
        void close() throws IOException, SQLException;
    }

    /** A blocking API: each appender is a thread with its own client. */
    non-sealed interface Threaded extends Session {
        /** Called on the appender's thread; the client is used and closed only there. */
        Client client(int appender) throws Exception;
    }

    /** One appender's handle on a blocking API. */
    interface Client extends AutoCloseable {
        /** Performs operation number {@code op} (0, 1, 2, ...) and returns when it is acknowledged. */
        void run(long op) throws Exception;

        @Override
        void close() throws IOException, SQLException;
    }

    /** An asynchronous API: appenders are chains of completion callbacks. */
    non-sealed interface Async extends Session {
        /** Starts operation number {@code op} of {@code appender}; the stage completes when it is acknowledged. */
        CompletionStage<?> run(int appender, long op);
    }
}
