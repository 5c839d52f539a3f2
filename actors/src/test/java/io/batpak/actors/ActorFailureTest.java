package io.batpak.actors;

import static io.batpak.actors.TestSupport.KIND;
import static io.batpak.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.actors.internal.ActorFaultHook;
import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.StoreException;
import io.batpak.core.error.StoreFailedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each of the store's actors is made to fail (by a fault hook that throws inside its message handler) while
 * appends are in flight. Whatever fails, the store's guardian turns it into the failed state: every append
 * completes (acknowledged, or failed with {@link StoreFailedException} naming the actor), reads keep serving what
 * is durable, close completes and releases the lock, and a reopen finds every acknowledged event.
 */
@Tag("failure")
class ActorFailureTest {
    private static final int APPENDERS = 4;
    private static final int APPENDS_EACH = 150;
    /** The injected failure comes after this many messages of the chosen actor. */
    private static final int FAIL_AFTER = 40;

    @RegisterExtension
    static final StoreTestKit kit = new StoreTestKit();

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"writer", "partition-", "fanout", "front-door", "batch-"})
    void anyActorFailingFailsTheStoreWithoutLosingAnAcknowledgedEvent(String role) throws Exception {
        AtomicInteger seen = new AtomicInteger();
        ActorFaultHook hook = (actor, message) -> {
            if (actor.startsWith(role) && seen.incrementAndGet() == (role.equals("fanout") ? 3 : FAIL_AFTER)) {
                throw new IllegalStateException("injected failure of " + actor);
            }
        };
        StoreConfig config = StoreConfig.builder(dir).partitions(4).build();
        BatpakStore store = kit.openWithFaults(config, hook);

        List<CompletableFuture<AppendReceipt>> singles = new ArrayList<>();
        List<CompletableFuture<List<AppendReceipt>>> batches = new ArrayList<>();
        for (int round = 0; round < APPENDS_EACH; round++) {
            for (int a = 0; a < APPENDERS; a++) {
                Coordinate c = Coordinate.of("fail-" + a, "test");
                singles.add(store.append(c, KIND, new byte[] {(byte) round}).toCompletableFuture());
                if (round % 5 == 0) {
                    batches.add(store.appendBatch(List.of(
                            AppendRequest.of(c, KIND, new byte[] {1}),
                            AppendRequest.of(Coordinate.of("fail-b" + a, "test"), KIND, new byte[] {2}))).toCompletableFuture());
                }
                if (role.equals("front-door") && round % 3 == 0) {
                    singles.add(AskPattern.<StoreCommand, StatusReply<AppendReceipt>>ask(store.ref(),
                            r -> new StoreCommand.Append(c, KIND, new byte[] {9}, AppendOptions.DEFAULT, r),
                            Duration.ofSeconds(5), kit.system().scheduler())
                            .thenApply(StatusReply::getValue).toCompletableFuture());
                }
            }
        }

        // Every append completes within bounded time: acknowledged, or failed because the store failed. Through
        // the front door a failure of the front door itself is a timeout of the ask: nothing answers any more.
        List<AppendReceipt> acked = new ArrayList<>();
        int failed = 0;
        for (CompletableFuture<AppendReceipt> f : singles) {
            try {
                acked.add(f.get(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS));
            } catch (java.util.concurrent.ExecutionException e) {
                failed++;
                assertFailedStore(e.getCause(), role);
            }
        }
        for (CompletableFuture<List<AppendReceipt>> f : batches) {
            try {
                acked.addAll(f.get(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS));
            } catch (java.util.concurrent.ExecutionException e) {
                failed++;
                assertFailedStore(e.getCause(), role);
            }
        }
        // Appends go on until the failure has happened (the fan-out fails on a later commit's signal).
        for (int i = 0; i < 2000 && !store.stats().failed(); i++) {
            try {
                acked.add(store.append(Coordinate.of("more", "test"), KIND, new byte[] {3}).toCompletableFuture()
                        .get(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS));
            } catch (java.util.concurrent.ExecutionException e) {
                failed++;
                assertFailedStore(e.getCause(), role);
            }
        }
        assertTrue(store.stats().failed(), "the store reports itself failed after " + role + " failed");
        StoreFailedException later = assertInstanceOf(StoreFailedException.class,
                TestSupport.failureOf(store.append(Coordinate.of("later", "test"), KIND, new byte[] {1})));
        assertTrue(later.component().startsWith(role), later.component());
        assertEquals(StoreException.Category.FATAL, later.category());

        // Reads keep serving every acknowledged event.
        for (AppendReceipt r : acked) {
            StoredEvent e = store.get(r.eventId()).orElseThrow();
            assertEquals(r, e.toReceipt());
        }
        kit.close(store);

        // The lock was released and nothing acknowledged was lost.
        BatpakStore again = kit.open(StoreConfig.builder(dir).build());
        for (AppendReceipt r : acked) {
            assertEquals(r, again.get(r.eventId()).orElseThrow().toReceipt(), "lost after the failure: " + r);
        }
        assertTrue(again.verify().ok(), again.verify().toString());
        await(again.append(Coordinate.of("after", "test"), KIND, new byte[] {1}));
    }

    private static void assertFailedStore(Throwable error, String role) {
        Throwable t = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (role.equals("front-door") && t instanceof java.util.concurrent.TimeoutException) {
            return;
        }
        StoreFailedException f = assertInstanceOf(StoreFailedException.class, t, () -> "unexpected failure: " + t);
        assertTrue(f.component().startsWith(role), f.component() + " for " + role);
    }
}
