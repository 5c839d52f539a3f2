package io.batpak.actors.internal;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.dispatch.DispatcherPrerequisites;
import org.apache.pekko.dispatch.MessageDispatcher;
import org.apache.pekko.dispatch.MessageDispatcherConfigurator;
import org.apache.pekko.dispatch.PinnedDispatcher;
import org.apache.pekko.dispatch.ThreadPoolConfig;
import scala.concurrent.duration.FiniteDuration;

/**
 * A pinned dispatcher (a thread of its own for each actor, as {@code type = PinnedDispatcher}) whose thread, when
 * its actor's mailbox runs empty, keeps polling for {@code spin-before-park} before it parks. A message that
 * arrives within that window is taken without the futex wake-up a parked thread costs the sender; an idle actor
 * parks after the window, so an idle store burns no core. {@code spin-before-park = 0} is a plain pinned
 * dispatcher. Used as a dispatcher's {@code type} (its fully qualified name), with
 * {@code spin-before-park} and Pekko's {@code shutdown-timeout} read from the dispatcher's configuration.
 */
public final class SpinThenParkDispatcherConfigurator extends MessageDispatcherConfigurator {
    private final long spinNanos;
    private final FiniteDuration shutdownTimeout;

    public SpinThenParkDispatcherConfigurator(Config config, DispatcherPrerequisites prerequisites) {
        super(config, prerequisites);
        Duration spin = config.getDuration("spin-before-park");
        if (spin.isNegative()) {
            throw new IllegalArgumentException("spin-before-park of dispatcher " + config.getString("id")
                    + " must not be negative: " + spin);
        }
        this.spinNanos = spin.toNanos();
        this.shutdownTimeout = FiniteDuration.create(config.getDuration("shutdown-timeout").toNanos(),
                TimeUnit.NANOSECONDS);
    }

    @Override
    public MessageDispatcher dispatcher() {
        long spin = spinNanos;
        ThreadPoolConfig pool = ThreadPoolConfig.apply(false, 1, 1, ThreadPoolConfig.defaultTimeout(),
                () -> new SpinningQueue(spin), ThreadPoolConfig.defaultRejectionPolicy());
        return new PinnedDispatcher(this, null, config().getString("id"), shutdownTimeout, pool);
    }

    /**
     * The pinned thread's task queue: a take polls for the spin window before blocking. An offer while the thread
     * spins finds no waiter to signal.
     */
    static final class SpinningQueue extends LinkedBlockingQueue<Runnable> {
        private static final long serialVersionUID = 1L;
        private final long spinNanos;

        SpinningQueue(long spinNanos) {
            this.spinNanos = spinNanos;
        }

        @Override
        public Runnable take() throws InterruptedException {
            Runnable r = spin();
            return r != null ? r : super.take();
        }

        @Override
        public Runnable poll(long timeout, TimeUnit unit) throws InterruptedException {
            Runnable r = spin();
            return r != null ? r : super.poll(timeout, unit);
        }

        private Runnable spin() {
            if (spinNanos == 0) {
                return null;
            }
            long end = System.nanoTime() + spinNanos;
            do {
                Runnable r = poll();
                if (r != null) {
                    return r;
                }
                Thread.onSpinWait();
            } while (System.nanoTime() - end < 0);
            return null;
        }
    }
}
