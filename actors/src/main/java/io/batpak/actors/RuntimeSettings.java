package io.batpak.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.batpak.core.error.InvalidConfigException;
import io.batpak.core.error.InvalidInputException;
import java.time.Duration;

/**
 * Settings of a store's actor runtime: where its actors run and how long it waits. Defaults are in
 * batpak-actors' {@code reference.conf} under {@code batpak { }}; {@link #fromConfig} reads them from a
 * configuration (normally the ActorSystem's, which {@link BatpakStore#open(io.batpak.core.StoreConfig,
 * org.apache.pekko.actor.typed.ActorSystem)} does) and each {@code with...} method returns a copy with one value
 * changed. Immutable and thread-safe.
 */
public final class RuntimeSettings {
    /** Longest timeout. */
    public static final Duration MAX_TIMEOUT = Duration.ofDays(1);
    /** Largest fan-out turn, in events. */
    public static final int MAX_EVENTS_PER_TURN = 1_000_000;
    /** Largest commit, in appends, whose stages the writer completes itself. */
    public static final int MAX_WRITER_REPLIES = 65_536;

    private final String writerDispatcher;
    private final String fanoutDispatcher;
    private final String ioDispatcher;
    private final int fanoutMaxEventsPerTurn;
    private final int writerRepliesUpTo;
    private final Duration closeTimeout;
    private final Duration appendTimeout;
    private final Duration batchTimeout;
    private final Duration startTimeout;

    private RuntimeSettings(String writerDispatcher, String fanoutDispatcher, String ioDispatcher,
                            int fanoutMaxEventsPerTurn, int writerRepliesUpTo, Duration closeTimeout,
                            Duration appendTimeout, Duration batchTimeout, Duration startTimeout) {
        this.writerDispatcher = writerDispatcher;
        this.fanoutDispatcher = fanoutDispatcher;
        this.ioDispatcher = ioDispatcher;
        this.fanoutMaxEventsPerTurn = checkTurn(fanoutMaxEventsPerTurn);
        this.writerRepliesUpTo = checkWriterReplies(writerRepliesUpTo);
        this.closeTimeout = timeout("batpak.close-timeout", closeTimeout);
        this.appendTimeout = timeout("batpak.append-timeout", appendTimeout);
        this.batchTimeout = timeout("batpak.batch-timeout", batchTimeout);
        this.startTimeout = timeout("batpak.start-timeout", startTimeout);
    }

    /** The settings of batpak-actors' {@code reference.conf} (and an {@code application.conf}, if present). */
    public static RuntimeSettings defaults() {
        return fromConfig(ConfigFactory.load());
    }

    /**
     * The settings under {@code batpak} of {@code config}, for example {@code system.settings().config()}.
     *
     * @throws InvalidConfigException naming a setting that is missing, of the wrong type or out of range
     */
    public static RuntimeSettings fromConfig(Config config) {
        InvalidInputException.requireArgument(config, "config");
        return new RuntimeSettings("batpak.writer-dispatcher", "batpak.fanout-dispatcher", "batpak.io-dispatcher",
                read(config, "batpak.fanout.max-events-per-turn", Config::getInt),
                read(config, "batpak.writer-replies-up-to", Config::getInt),
                read(config, "batpak.close-timeout", Config::getDuration),
                read(config, "batpak.append-timeout", Config::getDuration),
                read(config, "batpak.batch-timeout", Config::getDuration),
                read(config, "batpak.start-timeout", Config::getDuration));
    }

    private interface Getter<T> {
        T get(Config c, String path);
    }

    private static <T> T read(Config c, String path, Getter<T> getter) {
        try {
            return getter.get(c, path);
        } catch (ConfigException e) {
            throw new InvalidConfigException(path, e.getMessage(), e);
        }
    }

    private static int checkTurn(int events) {
        if (events < 1 || events > MAX_EVENTS_PER_TURN) {
            throw new InvalidConfigException("batpak.fanout.max-events-per-turn",
                    "must be in 1.." + MAX_EVENTS_PER_TURN + ", was " + events);
        }
        return events;
    }

    private static int checkWriterReplies(int appends) {
        if (appends < 0 || appends > MAX_WRITER_REPLIES) {
            throw new InvalidConfigException("batpak.writer-replies-up-to",
                    "must be in 0.." + MAX_WRITER_REPLIES + ", was " + appends);
        }
        return appends;
    }

    private static Duration timeout(String setting, Duration d) {
        InvalidInputException.requireArgument(d, setting);
        if (d.isNegative() || d.isZero() || d.compareTo(MAX_TIMEOUT) > 0) {
            throw new InvalidConfigException(setting, "must be in (0 s, 1 d], was " + d);
        }
        return d;
    }

    private static String path(String configPath) {
        return InvalidInputException.requireArgument(configPath, "configPath");
    }

    /** Config path of the dispatcher the writer runs on alone (blocking file I/O). */
    public String writerDispatcher() {
        return writerDispatcher;
    }

    /** Config path of the dispatcher the live fan-out runs on alone. */
    public String fanoutDispatcher() {
        return fanoutDispatcher;
    }

    /** Config path of the dispatcher for blocking I/O done for actors (reads, checkpoint writes, the front door). */
    public String ioDispatcher() {
        return ioDispatcher;
    }

    /** Events the fan-out delivers per turn before it yields to other messages; it then continues. */
    public int fanoutMaxEventsPerTurn() {
        return fanoutMaxEventsPerTurn;
    }

    /**
     * Largest commit, in appends, whose stages the writer completes itself instead of handing the replies to the
     * default dispatcher; 0 always hands them off.
     */
    public int writerRepliesUpTo() {
        return writerRepliesUpTo;
    }

    /** How long close waits for appends in flight, and then for the writer and the fan-out to stop. */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    /** Longest wait for an append's or a batch's outcome before it fails with a StoreTimeoutException. */
    public Duration appendTimeout() {
        return appendTimeout;
    }

    /** Longest time an atomic batch may take to prepare on its partitions before it is aborted. */
    public Duration batchTimeout() {
        return batchTimeout;
    }

    /** Longest wait of open for the store's actors to start. */
    public Duration startTimeout() {
        return startTimeout;
    }

    public RuntimeSettings withWriterDispatcher(String configPath) {
        return new RuntimeSettings(path(configPath), fanoutDispatcher, ioDispatcher,
                fanoutMaxEventsPerTurn, writerRepliesUpTo, closeTimeout, appendTimeout, batchTimeout, startTimeout);
    }

    public RuntimeSettings withFanoutDispatcher(String configPath) {
        return new RuntimeSettings(writerDispatcher, path(configPath), ioDispatcher,
                fanoutMaxEventsPerTurn, writerRepliesUpTo, closeTimeout, appendTimeout, batchTimeout, startTimeout);
    }

    public RuntimeSettings withIoDispatcher(String configPath) {
        return new RuntimeSettings(writerDispatcher, fanoutDispatcher, path(configPath),
                fanoutMaxEventsPerTurn, writerRepliesUpTo, closeTimeout, appendTimeout, batchTimeout, startTimeout);
    }

    public RuntimeSettings withFanoutMaxEventsPerTurn(int events) {
        return new RuntimeSettings(writerDispatcher, fanoutDispatcher, ioDispatcher, events, writerRepliesUpTo,
                closeTimeout, appendTimeout, batchTimeout, startTimeout);
    }

    public RuntimeSettings withWriterRepliesUpTo(int appends) {
        return new RuntimeSettings(writerDispatcher, fanoutDispatcher, ioDispatcher, fanoutMaxEventsPerTurn, appends,
                closeTimeout, appendTimeout, batchTimeout, startTimeout);
    }

    public RuntimeSettings withCloseTimeout(Duration timeout) {
        return new RuntimeSettings(writerDispatcher, fanoutDispatcher, ioDispatcher, fanoutMaxEventsPerTurn,
                writerRepliesUpTo, timeout, appendTimeout, batchTimeout, startTimeout);
    }

    public RuntimeSettings withAppendTimeout(Duration timeout) {
        return new RuntimeSettings(writerDispatcher, fanoutDispatcher, ioDispatcher, fanoutMaxEventsPerTurn,
                writerRepliesUpTo, closeTimeout, timeout, batchTimeout, startTimeout);
    }

    public RuntimeSettings withBatchTimeout(Duration timeout) {
        return new RuntimeSettings(writerDispatcher, fanoutDispatcher, ioDispatcher, fanoutMaxEventsPerTurn,
                writerRepliesUpTo, closeTimeout, appendTimeout, timeout, startTimeout);
    }

    public RuntimeSettings withStartTimeout(Duration timeout) {
        return new RuntimeSettings(writerDispatcher, fanoutDispatcher, ioDispatcher, fanoutMaxEventsPerTurn,
                writerRepliesUpTo, closeTimeout, appendTimeout, batchTimeout, timeout);
    }

    @Override
    public String toString() {
        return "RuntimeSettings[writer=" + writerDispatcher + ", fanout=" + fanoutDispatcher + ", io=" + ioDispatcher
                + ", maxEventsPerTurn=" + fanoutMaxEventsPerTurn + ", writerReplies=" + writerRepliesUpTo + ", close=" + closeTimeout + ", append="
                + appendTimeout + ", batch=" + batchTimeout + ", start=" + startTimeout + "]";
    }
}
