package io.batpak.actors;

import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.EventKind;
import io.batpak.core.StoreConfig;
import io.batpak.core.error.StoreClosedException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Child process of {@link CrashRecoveryTest}: opens the store and appends forever until it is killed.
 *
 * <p>Arguments: data directory, number of concurrent appenders, entity count, [seed], [segment max bytes],
 * [reopen interval ms]. Each appender is a chain of dependent appends (the next is issued once the previous one
 * completed) with small random payloads on random entities {@code crash-e0..crash-e<n-1>}; about one step in
 * eight is an atomic batch of 2-4 items across 2-3 entities, and about one in six is an append with an
 * idempotency key (its payload is 41 bytes: a marker byte, the key and random bytes). With a reopen interval
 * above 0 the main thread closes and reopens the store at random moments while the appenders keep going.
 *
 * <p>Protocol on stdout (one write(2) per message; logging is sent to stderr):
 * <pre>
 * OPENING &lt;pid&gt;
 * READY &lt;lastGlobalSequence&gt;
 * SEND &lt;key&gt; &lt;entity&gt; &lt;kindRaw&gt; &lt;payloadHex&gt;      (before a keyed append is issued)
 * ACK &lt;eventId&gt; &lt;entity&gt; &lt;entitySeq&gt; &lt;globalSeq&gt; &lt;kindRaw&gt; &lt;payloadHex|-&gt; &lt;S|K:key|B:i/n&gt;
 * CLOSING / CLOSED / REOPENED &lt;lastGlobalSequence&gt;
 * ERR &lt;exception class&gt; &lt;message&gt;
 * OPENFAIL &lt;exception class&gt; &lt;message&gt;
 * </pre>
 * An ACK line is written only after the append's (or the whole batch's) CompletionStage completed successfully;
 * all lines of one batch are written together. Appends refused because the store is closing for a reopen are
 * not reported. The process halts by itself when its stdin reaches EOF (the parent died) or after 10 minutes.
 */
public final class CrashAppender {
    static final String ENTITY_PREFIX = "crash-e";
    static final String SCOPE = "crash";
    static final int MAX_PAYLOAD = 40;
    /** Length of the payload of a keyed append: marker, 16 key bytes, 24 random bytes. */
    static final int KEYED_PAYLOAD = 41;
    static final byte KEYED_MARKER = 'K';
    /** batpak.max-payload-bytes with small segments (the default 16 MiB needs segments above 16 MiB). */
    static final int MAX_PAYLOAD_SETTING = 4096;

    private static final FileOutputStream OUT = new FileOutputStream(FileDescriptor.out);

    private volatile BatpakStore store;
    private final int entities;
    private final ExecutorService continuations;
    private final boolean reopens;

    private CrashAppender(BatpakStore store, int entities, ExecutorService continuations, boolean reopens) {
        this.store = store;
        this.entities = entities;
        this.continuations = continuations;
        this.reopens = reopens;
    }

    static StoreConfig config(Path dir, long segmentBytes) {
        StoreConfig.Builder b = StoreConfig.builder(dir);
        if (segmentBytes > 0) {
            b.segmentMaxBytes(segmentBytes).maxPayloadBytes(MAX_PAYLOAD_SETTING);
        }
        return b.build();
    }

    public static void main(String[] args) throws Exception {
        // Everything but the protocol goes to stderr, so log lines never mix with ACK lines.
        System.setOut(System.err);
        Path dir = Path.of(args[0]);
        int appenders = Integer.parseInt(args[1]);
        int entities = Integer.parseInt(args[2]);
        long seed = args.length > 3 ? Long.parseLong(args[3]) : System.nanoTime();
        long segmentBytes = args.length > 4 ? Long.parseLong(args[4]) : 0;
        long reopenMillis = args.length > 5 ? Long.parseLong(args[5]) : 0;
        ChildJvm.haltWhenOrphaned("crash-appender", Duration.ofMinutes(10));
        emit("OPENING " + ProcessHandle.current().pid() + "\n");
        StoreConfig config = config(dir, segmentBytes);
        BatpakStore first = open(config);
        emit("READY " + first.lastGlobalSequence() + "\n");
        ExecutorService continuations = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "crash-appender-continuation");
            t.setDaemon(true);
            return t;
        });
        CrashAppender app = new CrashAppender(first, entities, continuations, reopenMillis > 0);
        for (int i = 0; i < appenders; i++) {
            app.new Chain(new Random(seed * 31 + i)).next();
        }
        Random rnd = new Random(seed);
        while (true) {
            if (reopenMillis <= 0) {
                Thread.sleep(60_000);
                continue;
            }
            Thread.sleep(1 + rnd.nextInt((int) reopenMillis));
            emit("CLOSING\n");
            app.store.closeAsync().toCompletableFuture().get(60, TimeUnit.SECONDS);
            emit("CLOSED\n");
            BatpakStore reopened = open(config);
            app.store = reopened;
            emit("REOPENED " + reopened.lastGlobalSequence() + "\n");
        }
    }

    private static BatpakStore open(StoreConfig config) {
        try {
            return BatpakStore.open(config);
        } catch (RuntimeException e) {
            e.printStackTrace();
            emit("OPENFAIL " + e.getClass().getName() + " " + oneLine(e.getMessage()) + "\n");
            System.exit(2);
            throw e;
        }
    }


    /** Writes complete protocol lines with a single write(2) to the stdout pipe. */
    static synchronized void emit(String lines) {
        try {
            OUT.write(lines.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            Runtime.getRuntime().halt(5);
        }
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }

    static String hex(byte[] payload) {
        return payload.length == 0 ? "-" : HexFormat.of().formatHex(payload);
    }

    static String ackLine(AppendReceipt r, int kindRaw, byte[] payload, String tag) {
        return "ACK " + r.eventId() + " " + r.coordinate().entity() + " " + r.entitySequence() + " "
                + r.globalSequence() + " " + kindRaw + " " + hex(payload) + " " + tag + "\n";
    }

    /** The idempotency key embedded in a keyed payload, or null when the payload is not a keyed one. */
    static UUID keyOf(byte[] payload) {
        if (payload.length != KEYED_PAYLOAD || payload[0] != KEYED_MARKER) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(payload, 1, 16);
        return new UUID(b.getLong(), b.getLong());
    }

    private void failed(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (!(reopens && cause instanceof StoreClosedException)) {
            emit("ERR " + cause.getClass().getName() + " " + oneLine(cause.getMessage()) + "\n");
        }
        try {
            Thread.sleep(5);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }

    /** One appender: a chain of dependent appends. */
    private final class Chain {
        private final Random rnd;

        Chain(Random rnd) {
            this.rnd = rnd;
        }

        void next() {
            int op = rnd.nextInt(24);
            if (op < 3) {
                batch();
            } else if (op < 7) {
                keyed();
            } else {
                single();
            }
        }

        private Coordinate randomEntity() {
            return Coordinate.of(ENTITY_PREFIX + rnd.nextInt(entities), SCOPE);
        }

        private EventKind randomKind() {
            return EventKind.of(1, 1 + rnd.nextInt(3));
        }

        private byte[] randomPayload() {
            byte[] p = new byte[rnd.nextInt(MAX_PAYLOAD + 1)];
            rnd.nextBytes(p);
            return p;
        }

        private void single() {
            Coordinate c = randomEntity();
            EventKind kind = randomKind();
            byte[] payload = randomPayload();
            store.append(c, kind, payload).whenCompleteAsync((r, e) -> {
                if (e == null) {
                    emit(ackLine(r, kind.raw(), payload, "S"));
                } else {
                    failed(e);
                }
                next();
            }, continuations);
        }

        private void keyed() {
            Coordinate c = randomEntity();
            EventKind kind = randomKind();
            UUID key = new UUID(rnd.nextLong(), rnd.nextLong());
            ByteBuffer p = ByteBuffer.allocate(KEYED_PAYLOAD);
            p.put(KEYED_MARKER).putLong(key.getMostSignificantBits()).putLong(key.getLeastSignificantBits());
            byte[] tail = new byte[KEYED_PAYLOAD - 17];
            rnd.nextBytes(tail);
            p.put(tail);
            byte[] payload = p.array();
            emit("SEND " + key + " " + c.entity() + " " + kind.raw() + " " + hex(payload) + "\n");
            store.append(c, kind, payload, AppendOptions.builder().idempotencyKey(key).build())
                    .whenCompleteAsync((r, e) -> {
                        if (e == null) {
                            emit(ackLine(r, kind.raw(), payload, "K:" + key));
                        } else {
                            failed(e);
                        }
                        next();
                    }, continuations);
        }

        private void batch() {
            int distinct = Math.min(entities, 2 + rnd.nextInt(2));
            List<Coordinate> chosen = new ArrayList<>();
            while (chosen.size() < distinct) {
                Coordinate c = randomEntity();
                if (!chosen.contains(c)) {
                    chosen.add(c);
                }
            }
            int items = distinct + rnd.nextInt(2);
            List<AppendRequest> requests = new ArrayList<>();
            List<byte[]> payloads = new ArrayList<>();
            List<EventKind> kinds = new ArrayList<>();
            for (int i = 0; i < items; i++) {
                Coordinate c = i < distinct ? chosen.get(i) : chosen.get(rnd.nextInt(distinct));
                EventKind kind = randomKind();
                byte[] payload = randomPayload();
                requests.add(AppendRequest.of(c, kind, payload));
                payloads.add(payload);
                kinds.add(kind);
            }
            store.appendBatch(requests).whenCompleteAsync((rs, e) -> {
                if (e == null) {
                    StringBuilder sb = new StringBuilder();
                    for (int i = 0; i < rs.size(); i++) {
                        sb.append(ackLine(rs.get(i), kinds.get(i).raw(), payloads.get(i), "B:" + i + "/" + rs.size()));
                    }
                    emit(sb.toString());
                } else {
                    failed(e);
                }
                next();
            }, continuations);
        }
    }
}
