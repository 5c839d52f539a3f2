package io.batpak.bench;

import io.batpak.actors.BatpakStore;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.Region;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.SyncMode;
import io.batpak.streams.BatpakStreams;
import io.batpak.streams.CursorSettings;
import io.batpak.streams.OverflowPolicy;
import io.batpak.streams.Subscription;
import io.batpak.streams.SubscriptionSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.reactivestreams.Subscriber;

/**
 * Stream delivery through {@code batpak-streams}, in both durability classes where it writes:
 *
 * <ul>
 *   <li><b>fan-out</b>: {@code plan.fanoutSubscribers()} live subscriptions on {@code Region.all()} (buffer
 *       {@value #FANOUT_BUFFER}, drop-newest) while 64 appenders append {@code plan.fanoutEvents()} events of 100 B,
 *       each carrying {@code System.nanoTime()} of its append in its first 8 bytes; the subscribers' sinks count
 *       every event and record the append-to-delivery latency of one in {@value #LATENCY_SAMPLE_EVERY}. The same appends with no subscriber give the append-throughput ratio, and a
 *       paced variant ({@value #PACED_RATE} events/s from one thread, open loop) the latency below saturation.</li>
 *   <li><b>stalled subscriber</b>: the append matrix's 64-appender, 100 B workload (same warm-up and window) with one
 *       subscription whose consumer never requests an element, against none; per-round ratio, then the median. Also
 *       the fan-out thread's CPU time per appended event.</li>
 *   <li><b>cursor replay</b>: a store of {@code plan.cursorEvents()} events, reopened, replayed by
 *       {@code BatpakStreams.cursor(store, Region.all(), withCompleteAtHead(true))} with batch sizes 256 and 1024,
 *       beside the sequential replay ({@code StoreReader.replay}'s iterator, as in the reads) of the same store in the
 *       same round.
 *       </li>
 * </ul>
 * Every measurement uses a fresh store in its own directory (the replay store is built once); each round runs the
 * variants of a measurement in an order rotated from round to round.
 */
final class StreamBench {
    static final int APPENDERS = Plan.TARGET_APPENDERS;
    static final int PAYLOAD = Plan.TARGET_PAYLOAD;
    static final int FANOUT_BUFFER = 65_536;
    /** Append rate of the paced fan-out variant, well below what the subscribers can take on 2 cores. */
    static final int PACED_RATE = 10_000;
    /** A fan-out subscriber's sink records the latency of one event in this many. */
    static final int LATENCY_SAMPLE_EVERY = 8;
    static final List<Integer> CURSOR_BATCHES = List.of(256, 1024);
    static final int EVENTS_PER_ENTITY = 100;
    /** How long a fan-out measurement may wait for its subscribers to catch up before it counts as failed. */
    private static final long DELIVERY_TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(2);

    final Plan plan;
    private final Path dir;
    private final ActorSystem<?> system;
    private final PrintStream log;

    final Map<Durability, Fanout> fanout = new LinkedHashMap<>();
    final Map<Durability, Stalled> stalled = new LinkedHashMap<>();
    final Replay replay;
    final List<String> errors = new ArrayList<>();
    /** Buffer of the stalled subscription (the configured default). */
    final int stalledBuffer;

    /** Fan-out figures of one durability class, one entry per round (NaN / -1 where a round failed). */
    static final class Fanout {
        final Durability durability;
        final double[] deliveriesPerSec;
        final double[] sourceEventsPerSec;
        final double[] appendWithSubscribers;
        final double[] appendWithout;
        final double[] p50Micros;
        final double[] p99Micros;
        final double[] p999Micros;
        final double[] catchUpMillis;
        final long[] delivered;
        final long[] dropped;
        /** The paced variant: {@value #PACED_RATE} events/s from one issuing thread, open loop. */
        final double[] pacedP50Micros;
        final double[] pacedP99Micros;
        final double[] pacedP999Micros;
        final long[] pacedDropped;
        /** The paced variant's append latency (call to acknowledgement), for comparison with delivery. */
        final double[] pacedAckP50Micros;
        final double[] pacedAckP99Micros;
        /** A live cursor on Region.all() (no subscription), same paced appends: append-to-delivery latency. */
        final double[] cursorP50Micros;
        final double[] cursorP99Micros;
        final double[] cursorP999Micros;

        Fanout(Durability durability, int rounds) {
            this.durability = durability;
            deliveriesPerSec = nan(rounds);
            sourceEventsPerSec = nan(rounds);
            appendWithSubscribers = nan(rounds);
            appendWithout = nan(rounds);
            p50Micros = nan(rounds);
            p99Micros = nan(rounds);
            p999Micros = nan(rounds);
            catchUpMillis = nan(rounds);
            delivered = minusOne(rounds);
            dropped = minusOne(rounds);
            pacedP50Micros = nan(rounds);
            pacedP99Micros = nan(rounds);
            pacedP999Micros = nan(rounds);
            pacedDropped = minusOne(rounds);
            pacedAckP50Micros = nan(rounds);
            pacedAckP99Micros = nan(rounds);
            cursorP50Micros = nan(rounds);
            cursorP99Micros = nan(rounds);
            cursorP999Micros = nan(rounds);
        }

        double appendRatio() {
            return Cell.pairedRatio(appendWithSubscribers, appendWithout);
        }
    }

    /** Stalled-subscriber figures of one durability class. */
    static final class Stalled {
        final Durability durability;
        final Cell without;
        final Cell with;
        /** Events the stalled subscription took into its buffer / dropped / events stored, per round. */
        final long[] delivered;
        final long[] dropped;
        final long[] events;
        /** CPU time of the store's fan-out thread per appended event in the window, ns. */
        final double[] fanoutCpuWithout;
        final double[] fanoutCpuWith;

        Stalled(Durability durability, Scenario s, int rounds, String configuration) {
            this.durability = durability;
            this.without = new Cell(s, "batpak", configuration, rounds);
            this.with = new Cell(s, "batpak+stalled-subscriber", configuration
                    + "; plus one BatpakStreams.subscribe(store, Region.all()) (default settings) into a "
                    + "Sink.fromSubscriber whose subscriber never requests", rounds);
            delivered = minusOne(rounds);
            dropped = minusOne(rounds);
            events = minusOne(rounds);
            fanoutCpuWithout = nan(rounds);
            fanoutCpuWith = nan(rounds);
        }

        double ratio() {
            return with.pairedRatio(without);
        }
    }

    /**
     * Cursor replay figures: events/s per batch size and of the sequential replay ({@code StoreReader.replay}'s
     * iterator, a {@code StoredEvent} per event like the cursor) of the same store, per round.
     */
    static final class Replay {
        long events;
        /** Replays per timed measurement (more than one for small stores, so a measurement lasts long enough). */
        int passes = 1;
        long bytes;
        double buildEventsPerSec;
        final Map<Integer, double[]> cursorEventsPerSec = new LinkedHashMap<>();
        final double[] sequentialEventsPerSec;
        /** {@code BatpakStreams.replay} of the same store. */
        final double[] sourceEventsPerSec;
        /** The cursor (first batch size) with {@code sequential-read-density = 0}: index pages only. */
        final double[] indexCursorEventsPerSec;
        /** {@code Source.unfoldResource} over the sequential iterator. */
        final double[] unfoldEventsPerSec;

        Replay(int rounds) {
            for (int b : CURSOR_BATCHES) {
                cursorEventsPerSec.put(b, nan(rounds));
            }
            sequentialEventsPerSec = nan(rounds);
            sourceEventsPerSec = nan(rounds);
            indexCursorEventsPerSec = nan(rounds);
            unfoldEventsPerSec = nan(rounds);
        }

        double ratioToSequential(int batch) {
            return Cell.pairedRatio(cursorEventsPerSec.get(batch), sequentialEventsPerSec);
        }
    }

    StreamBench(Plan plan, Path dir, ActorSystem<?> system, PrintStream log) {
        this.plan = plan;
        this.dir = dir;
        this.system = system;
        this.log = log;
        this.stalledBuffer = SubscriptionSettings.create(system).bufferSize();
        for (Durability d : Durability.values()) {
            fanout.put(d, new Fanout(d, plan.rounds()));
            stalled.put(d, new Stalled(d, new Scenario(d, APPENDERS, PAYLOAD, 1), plan.rounds(),
                    new BatpakSystem(syncMode(d), system).configuration()));
        }
        replay = new Replay(plan.rounds());
    }

    static SyncMode syncMode(Durability d) {
        return d == Durability.FSYNC ? SyncMode.EVERY_COMMIT : SyncMode.NONE;
    }

    private static double[] nan(int n) {
        double[] a = new double[n];
        Arrays.fill(a, Double.NaN);
        return a;
    }

    private static long[] minusOne(int n) {
        long[] a = new long[n];
        Arrays.fill(a, -1);
        return a;
    }

    // ---------------------------------------------------------------- driving

    /** Builds the replay store and runs unmeasured passes of every measurement, so round 1 runs compiled code. */
    void prepare() throws Exception {
        Files2.deleteTree(dir);
        buildReplayStore();
        // Unmeasured: one replay of each kind, one fan-out of half the events, one stalled window.
        cursorReplaySeconds(CURSOR_BATCHES.get(0), -1);
        ReadBench.sequentialReplaySeconds(replayDir(), replay.events);
        replaySourceSeconds(false);
        fanoutOnce(Durability.NO_FSYNC, plan.fanoutSubscribers(), Math.max(1, plan.fanoutEvents() / 2), 0,
                dir.resolve("warmup-fanout"));
        Path d = dir.resolve("warmup-stalled");
        BatpakStore store = BatpakStore.open(StoreConfig.builder(d).syncMode(SyncMode.NONE).build(), system);
        try (AppendSystem.Session session = BatpakSystem.session(store,
                new Scenario(Durability.NO_FSYNC, APPENDERS, PAYLOAD, 1), () -> { })) {
            Driver.run(session, APPENDERS, plan.warmupMillis(), plan.measureMillis());
        } finally {
            store.closeAsync().toCompletableFuture().join();
            Files2.deleteTree(d);
        }
        log.println("   streams: warm-up done");
    }

    void round(int round) {
        for (Durability d : Durability.values()) {
            guarded(round, "fan-out " + d.label, () -> fanoutRound(round, d));
        }
        for (Durability d : Durability.values()) {
            guarded(round, "stalled subscriber " + d.label, () -> stalledRound(round, d));
        }
        guarded(round, "cursor replay", () -> replayRound(round));
    }

    private interface Step {
        void run() throws Exception;
    }

    private void guarded(int round, String what, Step step) {
        try {
            step.run();
        } catch (Exception | LinkageError | AssertionError e) {
            errors.add("round " + (round + 1) + ", " + what + ": " + e);
            log.println("   streams " + what + " FAILED: " + e);
            e.printStackTrace(log);
        }
        System.gc();
    }

    void cleanup() {
        Files2.deleteTree(dir);
    }

    // ---------------------------------------------------------------- fan-out

    /** What one fan-out measurement saw. */
    private record FanoutSample(double appendEventsPerSec, double deliveriesPerSec, double sourceEventsPerSec,
                                double catchUpMillis, Histogram latency, Histogram ackLatency, long delivered,
                                long dropped) {
    }

    /** Events of the paced variant: a fifth of the closed-loop count. */
    int pacedEvents() {
        return Math.max(1, plan.fanoutEvents() / 5);
    }

    private void fanoutRound(int round, Durability d) throws Exception {
        Fanout f = fanout.get(d);
        // 0: subscribers + closed-loop appenders, 1: no subscriber, 2: subscribers + paced appends,
        // 3: one live cursor + paced appends.
        List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3));
        Collections.rotate(order, round);
        Path base = dir.resolve("r" + round).resolve("fanout-" + d.label);
        FanoutSample with = null;
        FanoutSample without = null;
        FanoutSample paced = null;
        Histogram cursor = null;
        for (int variant : order) {
            Settle.flush();
            Path storeDir = base.resolve("v" + variant);
            if (variant == 0) {
                with = fanoutOnce(d, plan.fanoutSubscribers(), plan.fanoutEvents(), 0, storeDir);
            } else if (variant == 1) {
                without = fanoutOnce(d, 0, plan.fanoutEvents(), 0, storeDir);
            } else if (variant == 2) {
                paced = fanoutOnce(d, plan.fanoutSubscribers(), pacedEvents(), PACED_RATE, storeDir);
            } else {
                cursor = liveCursorOnce(d, pacedEvents(), storeDir);
            }
        }
        f.appendWithSubscribers[round] = with.appendEventsPerSec();
        f.appendWithout[round] = without.appendEventsPerSec();
        f.deliveriesPerSec[round] = with.deliveriesPerSec();
        f.sourceEventsPerSec[round] = with.sourceEventsPerSec();
        f.catchUpMillis[round] = with.catchUpMillis();
        f.p50Micros[round] = with.latency().getValueAtPercentile(50) / 1e3;
        f.p99Micros[round] = with.latency().getValueAtPercentile(99) / 1e3;
        f.p999Micros[round] = with.latency().getValueAtPercentile(99.9) / 1e3;
        f.delivered[round] = with.delivered();
        f.dropped[round] = with.dropped();
        f.pacedP50Micros[round] = paced.latency().getValueAtPercentile(50) / 1e3;
        f.pacedP99Micros[round] = paced.latency().getValueAtPercentile(99) / 1e3;
        f.pacedP999Micros[round] = paced.latency().getValueAtPercentile(99.9) / 1e3;
        f.pacedDropped[round] = paced.dropped();
        f.pacedAckP50Micros[round] = paced.ackLatency().getValueAtPercentile(50) / 1e3;
        f.pacedAckP99Micros[round] = paced.ackLatency().getValueAtPercentile(99) / 1e3;
        f.cursorP50Micros[round] = cursor.getValueAtPercentile(50) / 1e3;
        f.cursorP99Micros[round] = cursor.getValueAtPercentile(99) / 1e3;
        f.cursorP999Micros[round] = cursor.getValueAtPercentile(99.9) / 1e3;
        log.println(String.format(Locale.ROOT, "   fan-out/%-12s %d subscribers: %,.0f deliveries/s (%,.0f source ev/s),"
                        + " latency p50 %,.0f us p99 %,.0f us p99.9 %,.0f us, dropped %d; appends %,.0f ev/s vs %,.0f"
                        + " with no subscriber (%.2fx); paced at %,d ev/s: latency p50 %,.0f us p99 %,.0f us"
                        + " p99.9 %,.0f us (append ack p50 %,.0f us p99 %,.0f us), dropped %d", d.label, plan.fanoutSubscribers(), with.deliveriesPerSec(),
                with.sourceEventsPerSec(), f.p50Micros[round], f.p99Micros[round], f.p999Micros[round], with.dropped(),
                with.appendEventsPerSec(), without.appendEventsPerSec(),
                with.appendEventsPerSec() / without.appendEventsPerSec(), PACED_RATE, f.pacedP50Micros[round],
                f.pacedP99Micros[round], f.pacedP999Micros[round], f.pacedAckP50Micros[round],
                f.pacedAckP99Micros[round], paced.dropped()));
        log.println(String.format(Locale.ROOT, "   live cursor/%-9s paced at %,d ev/s: latency p50 %,.0f us p99 %,.0f us"
                + " p99.9 %,.0f us", d.label, PACED_RATE, f.cursorP50Micros[round], f.cursorP99Micros[round],
                f.cursorP999Micros[round]));
    }

    /**
     * Opens a store, runs one live cursor on {@code Region.all()} from the beginning, appends {@code events}
     * time-stamped events at {@value #PACED_RATE} events/s and returns the append-to-delivery latency of the cursor,
     * which is parked on the fan-out's wake-up whenever it has caught up.
     */
    private Histogram liveCursorOnce(Durability d, int events, Path storeDir) throws Exception {
        BatpakStore store = BatpakStore.open(StoreConfig.builder(storeDir).syncMode(syncMode(d)).build(), system);
        Probe p = new Probe(1);
        io.batpak.streams.CursorControl control = null;
        try {
            Pair<io.batpak.streams.CursorControl, CompletionStage<Done>> m = BatpakStreams.cursor(store, Region.all())
                    .toMat(Sink.foreach(p::onEvent), Keep.both()).run(system);
            control = m.first();
            appendPaced(store, events, PACED_RATE, new ConcurrentHistogram(Driver.MAX_NANOS, 3));
            long deadline = System.nanoTime() + DELIVERY_TIMEOUT_NANOS;
            while (p.count < events) {
                if (m.second().toCompletableFuture().isDone()) {
                    m.second().toCompletableFuture().join();
                    throw new IllegalStateException("the cursor completed before the store closed");
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the cursor delivered " + p.count + " of " + events + " events");
                }
                LockSupport.parkNanos(200_000);
            }
            control.shutdown();
            m.second().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } finally {
            if (control != null) {
                control.shutdown();
            }
            store.closeAsync().toCompletableFuture().join();
            Files2.deleteTree(storeDir);
        }
        if (p.count != events) {
            throw new IllegalStateException("the cursor delivered " + p.count + " of " + events + " events");
        }
        return p.latency();
    }

    /**
     * One subscriber's sink: counts every event, and takes the append-to-delivery latency (from the payload's
     * timestamp) of every event, or for the fan-out's subscribers of one in {@value #LATENCY_SAMPLE_EVERY} (the
     * first, then every {@value #LATENCY_SAMPLE_EVERY}th it receives), into a plain array, recorded into a histogram
     * only after the run.
     * Recording every event into 100 HdrHistograms while delivering took about a quarter of the stream threads' CPU
     * samples, so the harness, not the store, limited the fan-out it measured.
     */
    private static final class Probe {
        private final int sampleEvery;
        private long[] samples = new long[1024];
        private int sampled;
        /** Written by the stream's thread only; read by the measuring thread while it waits. */
        volatile long count;
        volatile long lastNanos;
        Subscription subscription;
        CompletionStage<Done> done;

        /** {@code sampleEvery}: the latency of one event in this many is taken (1: every event). */
        Probe(int sampleEvery) {
            this.sampleEvery = sampleEvery;
        }

        void onEvent(StoredEvent e) {
            long now = System.nanoTime();
            long c = count;
            if (c % sampleEvery == 0) {
                if (sampled == samples.length) {
                    samples = java.util.Arrays.copyOf(samples, sampled * 2);
                }
                samples[sampled++] = Math.max(0, Math.min(now - Payloads.stamp(e.payload()), Driver.MAX_NANOS));
            }
            lastNanos = now;
            count = c + 1;
        }

        /** The sampled latencies; only once the stream has completed (its writes are then visible). */
        Histogram latency() {
            Histogram h = new Histogram(Driver.MAX_NANOS, 3);
            for (int i = 0; i < sampled; i++) {
                h.recordValue(samples[i]);
            }
            return h;
        }
    }

    /**
     * Opens a store, materializes {@code subscribers} subscriptions, appends {@code events} time-stamped events (from
     * 64 closed-loop appenders, or at {@code paceRate} events/s when it is positive) and waits until every subscriber
     * has received (or dropped) every event.
     */
    private FanoutSample fanoutOnce(Durability d, int subscribers, int events, int paceRate, Path storeDir)
            throws Exception {
        BatpakStore store = BatpakStore.open(StoreConfig.builder(storeDir).syncMode(syncMode(d)).build(), system);
        List<Probe> probes = new ArrayList<>();
        long t0;
        long appended;
        long lastDelivery = 0;
        Histogram ack = new ConcurrentHistogram(Driver.MAX_NANOS, 3);
        try {
            SubscriptionSettings settings = SubscriptionSettings.create(system).withBufferSize(FANOUT_BUFFER)
                    .withOverflowPolicy(OverflowPolicy.DROP_NEWEST);
            for (int i = 0; i < subscribers; i++) {
                Probe p = new Probe(LATENCY_SAMPLE_EVERY);
                Pair<Subscription, CompletionStage<Done>> m = BatpakStreams.subscribe(store, Region.all(), settings)
                        .toMat(Sink.foreach(p::onEvent), Keep.both()).run(system);
                p.subscription = m.first();
                p.done = m.second();
                probes.add(p);
            }
            t0 = System.nanoTime();
            appended = paceRate > 0 ? appendPaced(store, events, paceRate, ack) : appendAll(store, events);
            long expected = (long) subscribers * events;
            long deadline = System.nanoTime() + DELIVERY_TIMEOUT_NANOS;
            while (true) {
                long seen = 0;
                for (Probe p : probes) {
                    seen += p.count + p.subscription.dropped();
                    CompletableFuture<Done> done = p.done.toCompletableFuture();
                    if (done.isDone()) {
                        done.join(); // throws when the stream failed
                        throw new IllegalStateException("a subscription completed before the store closed");
                    }
                }
                if (seen >= expected) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("subscribers saw " + seen + " of " + expected + " events");
                }
                LockSupport.parkNanos(200_000);
            }
            for (Probe p : probes) {
                lastDelivery = Math.max(lastDelivery, p.lastNanos);
            }
        } finally {
            try {
                for (Probe p : probes) {
                    p.subscription.cancel();
                }
                for (Probe p : probes) {
                    p.done.toCompletableFuture().get(30, TimeUnit.SECONDS);
                }
            } finally {
                store.closeAsync().toCompletableFuture().join();
                Files2.deleteTree(storeDir);
            }
        }
        // Each stream has completed, so its sink's figures are visible here.
        Histogram all = new Histogram(Driver.MAX_NANOS, 3);
        long delivered = 0;
        long dropped = 0;
        for (Probe p : probes) {
            all.add(p.latency());
            delivered += p.count;
            dropped += p.subscription.dropped();
            if (p.count != p.subscription.delivered() || p.count + p.subscription.dropped() != events) {
                throw new IllegalStateException("a subscriber consumed " + p.count + " events, its subscription "
                        + "buffered " + p.subscription.delivered() + " and dropped " + p.subscription.dropped()
                        + " of " + events);
            }
        }
        double appendSeconds = (appended - t0) / 1e9;
        double deliverySeconds = subscribers == 0 ? Double.NaN : (lastDelivery - t0) / 1e9;
        return new FanoutSample(events / appendSeconds, delivered / deliverySeconds, events / deliverySeconds,
                subscribers == 0 ? Double.NaN : Math.max(0, lastDelivery - appended) / 1e6, all, ack, delivered,
                dropped);
    }

    /**
     * Appends {@code events} events of {@value #PAYLOAD} B from {@value #APPENDERS} appenders (each on its own
     * entity, issuing its next append when the previous one is acknowledged), each payload starting with the
     * {@code System.nanoTime()} of its append. Returns the time of the last acknowledgement.
     */
    private long appendAll(BatpakStore store, int events) throws Exception {
        byte[] template = Payloads.of(PAYLOAD);
        AtomicLong next = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long[] lastAck = new long[APPENDERS];
        List<CompletableFuture<Void>> chains = new ArrayList<>();
        for (int a = 0; a < APPENDERS; a++) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            chains.add(done);
            chain(store, Coordinate.of(BatpakSystem.entity(a), BatpakSystem.SCOPE), a, template, next, events,
                    lastAck, failure, done);
        }
        CompletableFuture.allOf(chains.toArray(new CompletableFuture<?>[0])).get(5, TimeUnit.MINUTES);
        if (failure.get() != null) {
            throw new IllegalStateException("an append failed: " + failure.get(), failure.get());
        }
        long last = 0;
        for (long t : lastAck) {
            last = Math.max(last, t);
        }
        return last;
    }

    /**
     * Appends {@code events} time-stamped events at {@code rate} events/s from one thread without waiting for
     * acknowledgements (open loop; an append due while the thread was late is issued at once), spread over
     * {@value #APPENDERS} entities, recording each append's latency to its acknowledgement in {@code ack}. Returns
     * the time of the last acknowledgement.
     */
    private static long appendPaced(BatpakStore store, int events, int rate, Histogram ack) throws Exception {
        byte[] template = Payloads.of(PAYLOAD);
        Coordinate[] coords = new Coordinate[APPENDERS];
        for (int a = 0; a < APPENDERS; a++) {
            coords[a] = Coordinate.of(BatpakSystem.entity(a), BatpakSystem.SCOPE);
        }
        AtomicLong lastAck = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch acked = new CountDownLatch(events);
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long start = System.nanoTime();
        for (int i = 0; i < events && failure.get() == null; i++) {
            long due = start + i * interval;
            long now;
            while ((now = System.nanoTime()) < due) {
                LockSupport.parkNanos(due - now);
            }
            byte[] payload = template.clone();
            long issued = System.nanoTime();
            Payloads.stamp(payload, issued);
            store.append(coords[i % APPENDERS], BatpakSystem.KIND, payload).whenComplete((r, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                }
                long t = System.nanoTime();
                ack.recordValue(Math.min(t - issued, Driver.MAX_NANOS));
                lastAck.accumulateAndGet(t, Math::max);
                acked.countDown();
            });
        }
        if (failure.get() == null && !acked.await(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException("paced appends were not acknowledged in 5 minutes");
        }
        if (failure.get() != null) {
            throw new IllegalStateException("an append failed: " + failure.get(), failure.get());
        }
        return lastAck.get();
    }

    private static void chain(BatpakStore store, Coordinate c, int appender, byte[] template, AtomicLong next,
                              int events, long[] lastAck, AtomicReference<Throwable> failure,
                              CompletableFuture<Void> done) {
        if (next.getAndIncrement() >= events || failure.get() != null) {
            done.complete(null);
            return;
        }
        byte[] payload = template.clone();
        Payloads.stamp(payload, System.nanoTime());
        store.append(c, BatpakSystem.KIND, payload).whenComplete((r, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
                done.complete(null);
                return;
            }
            lastAck[appender] = System.nanoTime();
            chain(store, c, appender, template, next, events, lastAck, failure, done);
        });
    }

    // ---------------------------------------------------------------- stalled subscriber

    /** A Reactive Streams subscriber that never requests an element. */
    private static final class NeverRequests implements Subscriber<StoredEvent> {
        private final CompletableFuture<org.reactivestreams.Subscription> subscribed = new CompletableFuture<>();

        @Override
        public void onSubscribe(org.reactivestreams.Subscription s) {
            subscribed.complete(s);
        }

        @Override
        public void onNext(StoredEvent e) {
            throw new IllegalStateException("never requested, yet received " + e);
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onComplete() {
        }

        void cancel() throws Exception {
            subscribed.get(30, TimeUnit.SECONDS).cancel();
        }
    }

    private void stalledRound(int round, Durability d) throws Exception {
        Stalled st = stalled.get(d);
        List<Boolean> order = new ArrayList<>(List.of(true, false));
        Collections.rotate(order, round);
        for (boolean withSubscriber : order) {
            stalledOnce(round, st, withSubscriber);
        }
        log.println(String.format(Locale.ROOT, "   stalled/%-12s %,.0f ev/s with a stalled subscriber vs %,.0f without"
                        + " (%.2fx); it buffered %d and dropped %,d of %,d events; fan-out CPU %.0f ns/event with,"
                        + " %.0f without", d.label, st.with.eventsPerSec[round], st.without.eventsPerSec[round],
                st.with.eventsPerSec[round] / st.without.eventsPerSec[round], st.delivered[round],
                st.dropped[round], st.events[round], st.fanoutCpuWith[round], st.fanoutCpuWithout[round]));
    }

    private void stalledOnce(int round, Stalled st, boolean withSubscriber) throws Exception {
        Scenario s = st.with.scenario;
        Path storeDir = dir.resolve("r" + round).resolve("stalled-" + st.durability.label + "-" + withSubscriber);
        Settle.flush();
        BatpakStore store = BatpakStore.open(StoreConfig.builder(storeDir).syncMode(syncMode(st.durability)).build(),
                system);
        NeverRequests never = null;
        Subscription sub = null;
        long[] stored = {-1};
        long before;
        try {
            before = store.lastGlobalSequence();
            if (withSubscriber) {
                never = new NeverRequests();
                sub = BatpakStreams.subscribe(store, Region.all())
                        .toMat(Sink.fromSubscriber(never), Keep.left()).run(system);
            }
            AppendSystem.Async session = withFanoutCpu(BatpakSystem.session(store, s, () -> {
                stored[0] = store.lastGlobalSequence() + 1;
                // The fan-out offers every event committed before the close to the subscription first.
                store.closeAsync().toCompletableFuture().join();
            }));
            try (session) {
                Driver.Sample sample = Driver.run(session, s.appenders(), plan.warmupMillis(), plan.measureMillis());
                (withSubscriber ? st.with : st.without).add(round, sample);
                long cpu = 0;
                for (Map.Entry<String, Long> e : sample.counterDeltas().entrySet()) {
                    if (e.getKey().startsWith(FANOUT_CPU)) {
                        cpu += e.getValue();
                    }
                }
                Long appends = sample.counterDeltas().get("appends");
                if (appends != null && appends > 0 && CPU_TIME) {
                    (withSubscriber ? st.fanoutCpuWith : st.fanoutCpuWithout)[round] = cpu / (double) appends;
                }
            }
        } finally {
            store.closeAsync().toCompletableFuture().join();
            if (never != null) {
                never.cancel();
            }
            Files2.deleteTree(storeDir);
        }
        if (sub != null) {
            st.delivered[round] = sub.delivered();
            st.dropped[round] = sub.dropped();
            // Events appended after the subscription was made.
            long events = stored[0] - (before + 1);
            st.events[round] = events;
            if (sub.delivered() + sub.dropped() != events) {
                throw new IllegalStateException("the stalled subscription buffered " + sub.delivered()
                        + " and dropped " + sub.dropped() + " events; " + events + " were appended after it was made");
            }
        }
    }

    private static final String FANOUT_CPU = "fanoutCpuNanos:";
    private static final ThreadMXBean THREADS =
            ManagementFactory.getThreadMXBean();
    private static final boolean CPU_TIME = THREADS.isThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled();

    /**
     * The session with one more counter per fan-out thread: its CPU time. A thread is counted from when it is first
     * seen, and only while it lives (the fan-out threads of stores closed earlier may end during a window).
     */
    private static AppendSystem.Async withFanoutCpu(AppendSystem.Async session) {
        return new AppendSystem.Async() {
            @Override
            public CompletionStage<?> run(int appender, long op) {
                return session.run(appender, op);
            }

            @Override
            public int eventsPerOp() {
                return session.eventsPerOp();
            }

            @Override
            public Map<String, Long> counters() {
                Map<String, Long> out = new HashMap<>(session.counters());
                if (CPU_TIME) {
                    for (Thread t : Thread.getAllStackTraces().keySet()) {
                        if (t.getName().contains("fanout-dispatcher")) {
                            long cpu = THREADS.getThreadCpuTime(t.getId());
                            if (cpu >= 0) {
                                out.put(FANOUT_CPU + t.getId(), cpu);
                            }
                        }
                    }
                }
                return out;
            }

            @Override
            public void close() throws IOException, SQLException {
                session.close();
            }
        };
    }

    // ---------------------------------------------------------------- cursor replay

    private Path replayDir() {
        return dir.resolve("replay");
    }

    private void buildReplayStore() throws IOException {
        Path d = replayDir();
        int n = plan.cursorEvents();
        int entities = Math.max(1, n / EVENTS_PER_ENTITY);
        replay.buildEventsPerSec = ReadBench.buildStore(d, n, entities, system);
        replay.events = n;
        replay.passes = Math.max(1, Math.min(10, 300_000 / n));
        replay.bytes = Files2.sizeOfTree(d.resolve("segments"));
        log.println(String.format(Locale.ROOT, "   streams: built a replay store of %,d events (%,d MiB of segments)",
                n, replay.bytes >> 20));
    }

    private void replayRound(int round) throws Exception {
        // -1 stands for the sequential replay (StoreReader.replay's iterator), -2 for BatpakStreams.replay, -3 for
        // the cursor on index pages only, -4 for Source.unfoldResource over the iterator.
        List<Integer> order = new ArrayList<>(CURSOR_BATCHES);
        order.addAll(List.of(-1, -2, -3, -4));
        Collections.rotate(order, round);
        for (int b : order) {
            System.gc();
            double seconds = 0;
            for (int p = 0; p < replay.passes; p++) {
                seconds += b == -1 ? ReadBench.sequentialReplaySeconds(replayDir(), replay.events)
                        : b == -2 ? replaySourceSeconds(false) : b == -4 ? replaySourceSeconds(true)
                        : b == -3 ? cursorReplaySeconds(CURSOR_BATCHES.get(0), 0) : cursorReplaySeconds(b, -1);
            }
            double v = replay.events * (double) replay.passes / seconds;
            if (b == -2) {
                replay.sourceEventsPerSec[round] = v;
            } else if (b == -3) {
                replay.indexCursorEventsPerSec[round] = v;
            } else if (b == -4) {
                replay.unfoldEventsPerSec[round] = v;
            } else if (b == -1) {
                replay.sequentialEventsPerSec[round] = v;
            } else {
                replay.cursorEventsPerSec.get(b)[round] = v;
            }
        }
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "   cursor replay of %,d events (x%d):",
                replay.events, replay.passes));
        for (int b : CURSOR_BATCHES) {
            line.append(String.format(Locale.ROOT, " batch %d %,.0f ev/s,", b, replay.cursorEventsPerSec.get(b)[round]));
        }
        line.append(String.format(Locale.ROOT, " index pages only %,.0f ev/s, replay Source %,.0f ev/s"
                        + " (unfoldResource %,.0f ev/s), sequential replay %,.0f ev/s",
                replay.indexCursorEventsPerSec[round], replay.sourceEventsPerSec[round],
                replay.unfoldEventsPerSec[round], replay.sequentialEventsPerSec[round]));
        log.println(line);
    }

    /** A counting sink that also checks the cursor emits every global sequence once, in order. */
    private static final class Counter {
        long count;
        long bytes;
        String problem;

        void onEvent(StoredEvent e) {
            if (problem == null && e.globalSequence() != count) {
                problem = "expected global sequence " + count + ", got " + e.globalSequence();
            }
            count++;
            bytes += e.payloadLength();
        }
    }

    /**
     * Seconds for {@code BatpakStreams.replay(store, Region.all(), -1)} into the counting sink (open not counted);
     * with {@code unfold}, for Pekko's {@code Source.unfoldResource} over the same iterator instead (on Pekko's
     * blocking I/O dispatcher), for comparison.
     */
    private double replaySourceSeconds(boolean unfold) throws Exception {
        BatpakStore store = BatpakStore.open(StoreConfig.builder(replayDir()).build(), system);
        try {
            Counter counter = new Counter();
            long t0 = System.nanoTime();
            org.apache.pekko.stream.javadsl.Source<StoredEvent, ?> source = unfold
                    ? org.apache.pekko.stream.javadsl.Source.unfoldResource(() -> store.replay(Region.all(), -1),
                            it -> it.hasNext() ? java.util.Optional.of(it.next()) : java.util.Optional.empty(),
                            io.batpak.core.EventIterator::close)
                    : BatpakStreams.replay(store, Region.all(), -1);
            source.runWith(Sink.foreach(counter::onEvent), system).toCompletableFuture().get(10, TimeUnit.MINUTES);
            double s = (System.nanoTime() - t0) / 1e9;
            if (counter.problem != null || counter.count != replay.events) {
                throw new IllegalStateException("the replay Source emitted " + counter.count + " events of "
                        + replay.events + (counter.problem == null ? "" : "; " + counter.problem));
            }
            return s;
        } finally {
            store.closeAsync().toCompletableFuture().join();
        }
    }

    /**
     * Seconds for a cursor over {@code Region.all()} completing at the head to emit every event of the reopened
     * replay store into a counting sink (the open is not counted).
     */
    private double cursorReplaySeconds(int batchSize, double density) throws Exception {
        BatpakStore store = BatpakStore.open(StoreConfig.builder(replayDir()).build(), system);
        try {
            Counter counter = new Counter();
            CursorSettings settings = CursorSettings.create(system).withCompleteAtHead(true).withBatchSize(batchSize);
            if (density >= 0) {
                settings = settings.withSequentialReadDensity(density);
            }
            long t0 = System.nanoTime();
            BatpakStreams.cursor(store, Region.all(), settings).runWith(Sink.foreach(counter::onEvent), system)
                    .toCompletableFuture().get(10, TimeUnit.MINUTES);
            double s = (System.nanoTime() - t0) / 1e9;
            if (counter.problem != null || counter.count != replay.events
                    || counter.bytes != replay.events * PAYLOAD) {
                throw new IllegalStateException("the cursor emitted " + counter.count + " events of "
                        + replay.events + (counter.problem == null ? "" : "; " + counter.problem));
            }
            return s;
        } finally {
            store.closeAsync().toCompletableFuture().join();
        }
    }
}
