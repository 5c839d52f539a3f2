package io.batpak.streams;

import static org.junit.jupiter.api.Assertions.fail;

import io.batpak.actors.BatpakStore;
import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.StoreConfig;
import io.batpak.core.SyncMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of stream tests: one ActorSystem per test class, a fresh store directory per test, and every store opened
 * with {@link #open} closed after its test.
 */
abstract class StreamsTestBase {
    static final EventKind KIND = EventKind.of(0x1, 0x001);
    static final EventKind OTHER_KIND = EventKind.of(0x1, 0x002);
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    static ActorSystem<Void> system;

    @TempDir
    Path dir;

    private final List<BatpakStore> opened = new ArrayList<>();

    @BeforeAll
    static void startSystem() {
        // Logging starts before the system's threads log at once (else SLF4J replays their first calls, noisily).
        org.slf4j.LoggerFactory.getILoggerFactory();
        system = ActorSystem.create(Behaviors.empty(), "streams-test");
    }

    @AfterAll
    static void stopSystem() {
        system.terminate();
        await(system.getWhenTerminated());
    }

    @AfterEach
    void closeStores() {
        for (int i = opened.size() - 1; i >= 0; i--) {
            await(opened.get(i).closeAsync());
        }
        opened.clear();
    }

    /** A store in {@code dir} with sync mode none (these tests are about delivery, not durability). */
    BatpakStore open() {
        return open(StoreConfig.builder(dir).syncMode(SyncMode.NONE).build());
    }

    BatpakStore open(StoreConfig config) {
        BatpakStore s = BatpakStore.open(config, system);
        opened.add(s);
        return s;
    }

    /** Closes a store opened with {@link #open} before the end of the test. */
    void close(BatpakStore store) {
        await(store.closeAsync());
        opened.remove(store);
    }

    /** Closes a store whose close may fail (e.g. after an injected I/O fault); returns the close failure or null. */
    Throwable closeExpectingTrouble(BatpakStore store) {
        opened.remove(store);
        try {
            await(store.closeAsync());
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    static AppendRequest request(String entity, EventKind kind, int n) {
        return AppendRequest.of(Coordinate.of(entity, "test"), kind, ("event-" + n).getBytes());
    }

    /** Appends {@code count} events round-robin over {@code entities} in atomic batches; returns the last receipt. */
    static AppendReceipt appendMany(BatpakStore store, List<String> entities, EventKind kind, int count) {
        AppendReceipt last = null;
        int batch = 1000;
        for (int from = 0; from < count; from += batch) {
            List<AppendRequest> items = new ArrayList<>(batch);
            for (int i = from; i < Math.min(count, from + batch); i++) {
                items.add(request(entities.get(i % entities.size()), kind, i));
            }
            List<AppendReceipt> r = await(store.appendBatch(items));
            last = r.get(r.size() - 1);
        }
        return last;
    }

    static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new CompletionException(e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("not completed within " + TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The exception a stage failed with (unwrapped), failing the test if it completes normally. */
    static Throwable failureOf(CompletionStage<?> stage) {
        try {
            stage.toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return Futures.cause(e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("not completed within " + TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return fail("expected the stage to fail, it completed normally");
    }

    static <E extends Throwable> E assertFailsWith(Class<E> type, CompletionStage<?> stage) {
        Throwable t = failureOf(stage);
        if (!type.isInstance(t)) {
            throw new AssertionError("expected " + type.getSimpleName() + " but got " + t, t);
        }
        return type.cast(t);
    }

    static void eventually(String what, BooleanSupplier condition) {
        io.batpak.actors.Polling.eventually(what, condition, TIMEOUT);
    }

    /** Where {@code needle} first occurs in {@code hay}, -1 if nowhere (finding a payload in a segment file). */
    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
