package io.batpak.actors;

import static io.batpak.actors.TestSupport.KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.batpak.actors.internal.ActorFaultHook;
import io.batpak.actors.internal.WriterActor;
import io.batpak.core.AppendReceipt;
import io.batpak.core.Coordinate;
import io.batpak.core.StoreConfig;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the callbacks on an append's stage run. At low load the writer completes stages itself
 * ({@code batpak.writer-replies-up-to}); a callback attached without an executor still never runs on the writer's
 * thread, so one that blocks (even on another append) cannot stall the store. A callback attached with a direct
 * executor runs on the completing thread. The stage is settled by the store only.
 */
class AppendStageTest {
    private static final String WRITER_THREAD = "writer-dispatcher";
    private static final Coordinate C = Coordinate.of("stage", "test");

    @TempDir
    Path dir;

    /** Holds the first write at the writer until {@link #release} is counted down. */
    private final CountDownLatch release = new CountDownLatch(1);

    private ActorFaultHook holdFirstWrite() {
        AtomicBoolean held = new AtomicBoolean();
        return (actor, message) -> {
            if (actor.equals("writer") && message instanceof WriterActor.Write && held.compareAndSet(false, true)) {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    private static CompletableFuture<String> threadOf(CompletionStage<?> stage, boolean direct) {
        CompletableFuture<String> thread = new CompletableFuture<>();
        if (direct) {
            stage.whenCompleteAsync((r, e) -> thread.complete(Thread.currentThread().getName()), Runnable::run);
        } else {
            stage.whenComplete((r, e) -> thread.complete(Thread.currentThread().getName()));
        }
        return thread;
    }

    @Test
    void callbacksWithoutAnExecutorNeverRunOnTheWriterEvenWhenItCompletesTheStage() throws Exception {
        ActorTestKit kit = ActorTestKit.create("stage", ConfigFactory.load());
        BatpakStore store = BatpakStore.openWithFaults(StoreConfig.builder(dir).build(), kit.system(), holdFirstWrite());
        try {
            assertEquals(4, store.settings().writerRepliesUpTo());
            CompletionStage<AppendReceipt> stage = store.append(C, KIND, new byte[] {1});
            CompletableFuture<String> plain = threadOf(stage, false);
            CompletableFuture<String> mapped = stage.thenApply(r -> Thread.currentThread().getName())
                    .toCompletableFuture();
            CompletableFuture<String> direct = threadOf(stage, true);
            release.countDown();
            assertTrue(direct.get(30, TimeUnit.SECONDS).contains(WRITER_THREAD),
                    "a one-append commit is completed by the writer: " + direct.get());
            assertFalse(plain.get(30, TimeUnit.SECONDS).contains(WRITER_THREAD), plain.get());
            assertFalse(mapped.get(30, TimeUnit.SECONDS).contains(WRITER_THREAD), mapped.get());
        } finally {
            store.close();
            kit.shutdownTestKit();
        }
    }

    @Test
    void withWriterRepliesOffEvenADirectCallbackRunsOffTheWriter() throws Exception {
        ActorTestKit kit = ActorTestKit.create("stage", ConfigFactory.parseString("batpak.writer-replies-up-to = 0")
                .withFallback(ConfigFactory.load()));
        BatpakStore store = BatpakStore.openWithFaults(StoreConfig.builder(dir).build(), kit.system(), holdFirstWrite());
        try {
            CompletionStage<AppendReceipt> stage = store.append(C, KIND, new byte[] {1});
            CompletableFuture<String> direct = threadOf(stage, true);
            release.countDown();
            assertFalse(direct.get(30, TimeUnit.SECONDS).contains(WRITER_THREAD), direct.get());
        } finally {
            store.close();
            kit.shutdownTestKit();
        }
    }

    @Test
    void aCallbackThatWaitsForAnotherAppendDoesNotStallTheStore() throws Exception {
        ActorTestKit kit = ActorTestKit.create("stage", ConfigFactory.load());
        try (BatpakStore store = BatpakStore.open(StoreConfig.builder(dir).build(), kit.system())) {
            long second = store.append(C, KIND, new byte[] {1})
                    .thenApply(r -> store.append(C, KIND, new byte[] {2}).toCompletableFuture().join())
                    .toCompletableFuture().get(30, TimeUnit.SECONDS).globalSequence();
            assertEquals(1, second);
            assertEquals(2, store.readEntity("stage", 0, 10).size());
        } finally {
            kit.shutdownTestKit();
        }
    }

    @Test
    void theStageIsSettledByTheStoreOnlyAndItsCopyBelongsToTheCaller() throws Exception {
        ActorTestKit kit = ActorTestKit.create("stage", ConfigFactory.load());
        BatpakStore store = BatpakStore.openWithFaults(StoreConfig.builder(dir).build(), kit.system(), holdFirstWrite());
        try {
            CompletionStage<AppendReceipt> stage = store.append(C, KIND, new byte[] {1});
            CompletableFuture<AppendReceipt> asFuture = (CompletableFuture<AppendReceipt>) stage;
            assertThrows(UnsupportedOperationException.class, () -> asFuture.complete(null));
            assertThrows(UnsupportedOperationException.class, () -> asFuture.cancel(true));
            assertThrows(UnsupportedOperationException.class,
                    () -> asFuture.completeExceptionally(new IllegalStateException("not the store's")));
            CompletableFuture<AppendReceipt> mine = stage.toCompletableFuture();
            CompletableFuture<AppendReceipt> other = stage.toCompletableFuture();
            assertTrue(mine.cancel(true), "the caller's copy is the caller's to complete");
            release.countDown();
            assertEquals(0, other.get(30, TimeUnit.SECONDS).globalSequence(),
                    "cancelling a copy changes neither the append nor other copies");
            assertEquals(0, asFuture.join().globalSequence());
            assertEquals(1, store.readEntity("stage", 0, 10).size());
        } finally {
            store.close();
            kit.shutdownTestKit();
        }
    }
}
