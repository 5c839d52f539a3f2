package io.batpak.actors;

import static io.batpak.actors.TestSupport.KIND;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.actors.internal.ActorFaultHook;
import io.batpak.actors.internal.WriterActor;
import io.batpak.core.Coordinate;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.StoreTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An append that gets no outcome within {@code batpak.append-timeout} fails with {@link StoreTimeoutException}
 * (its outcome is unknown: here the stalled write is stored afterwards), its admission is released, and a late
 * outcome does not complete it a second time.
 */
class AppendTimeoutTest {
    private static final Duration TIMEOUT = Duration.ofMillis(800);

    @TempDir
    Path dir;

    private ActorTestKit testKit;

    @BeforeEach
    void start() {
        testKit = ActorTestKit.create("append-timeout", ConfigFactory.parseString(
                "batpak.append-timeout = " + TIMEOUT.toMillis() + " ms").withFallback(ConfigFactory.load()));
    }

    @AfterEach
    void stop() {
        testKit.shutdownTestKit();
    }

    @Test
    void anAppendWithoutOutcomeTimesOutAndALateOutcomeChangesNothing() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean stalled = new AtomicBoolean();
        // The writer stalls on the first write until released: that append's outcome comes long after its timeout.
        ActorFaultHook hook = (actor, message) -> {
            if (actor.equals("writer") && message instanceof WriterActor.Write && stalled.compareAndSet(false, true)) {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        BatpakStore store = BatpakStore.openWithFaults(StoreConfig.builder(dir).build(), testKit.system(), hook);
        try {
            Coordinate c = Coordinate.of("slow", "test");
            long sent = System.nanoTime();
            CompletableFuture<?> first = store.append(c, KIND, new byte[] {1}).toCompletableFuture();
            ExecutionException e = assertThrows(ExecutionException.class, () -> first.get(30, TimeUnit.SECONDS));
            long waited = System.nanoTime() - sent;
            StoreTimeoutException timedOut = assertInstanceOf(StoreTimeoutException.class, e.getCause());
            assertTrue(timedOut.getMessage().contains("the append did not complete within " + TIMEOUT.toMillis() + " ms"),
                    timedOut.getMessage());
            assertTrue(waited >= TIMEOUT.toNanos(), "failed only after the timeout: " + waited + " ns");
            assertEquals(0, store.stats().queueDepth(), "the timed-out append no longer counts as in flight");

            release.countDown();
            // The stalled write goes through after all; the next append builds on it.
            store.append(c, KIND, new byte[] {2}).toCompletableFuture().get(30, TimeUnit.SECONDS);
            List<StoredEvent> events = store.readEntity("slow", 0, 10);
            assertEquals(2, events.size());
            assertArrayEquals(new byte[] {1}, events.get(0).payload());
            assertArrayEquals(new byte[] {2}, events.get(1).payload());
            assertTrue(first.isCompletedExceptionally(), "the late outcome did not complete the append again");
        } finally {
            store.close();
        }
    }
}
