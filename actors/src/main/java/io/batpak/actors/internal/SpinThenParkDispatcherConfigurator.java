package io.batpak.actors.internal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.batpak.core.error.InvalidConfigException;
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
    private static final String SPIN_SETTING = "spin-before-park";
    /** A longer window would keep a core busy for nothing: a message that late pays a wake-up anyway. */
    private static final Duration MAX_SPIN = Duration.ofMillis(10);
    private final long spinNanos;
    private final FiniteDuration shutdownTimeout;

    public SpinThenParkDispatcherConfigurator(Config config, DispatcherPrerequisites prerequisites) {
        super(config, prerequisites);
        this.spinNanos = spinBeforePark(config, config.getString("id")).toNanos();
        this.shutdownTimeout = FiniteDuration.create(config.getDuration("shutdown-timeout").toNanos(),
                TimeUnit.NANOSECONDS);
    }

    /**
     * The spin window of the dispatcher configured by {@code dispatcher} (at {@code path}): 0 when it has none.
     *
     * @throws InvalidConfigException naming {@code path.spin-before-park} when it is not a duration in 0 .. 10 ms
     */
    public static Duration spinBeforePark(Config dispatcher, String path) {
        String setting = path + "." + SPIN_SETTING;
        if (!dispatcher.hasPath(SPIN_SETTING)) {
            return Duration.ZERO;
        }
        Duration spin;
        try {
            spin = dispatcher.getDuration(SPIN_SETTING);
        } catch (ConfigException e) {
            throw new InvalidConfigException(setting, e.getMessage(), e);
        }
        if (spin.isNegative() || spin.compareTo(MAX_SPIN) > 0) {
            throw new InvalidConfigException(setting, "must be in 0 .. " + MAX_SPIN.toMillis() + " ms, was " + spin);
        }
        return spin;
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
