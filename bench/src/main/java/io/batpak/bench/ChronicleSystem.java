package io.batpak.bench;

import java.nio.file.Path;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Chronicle Queue (net.openhft:chronicle-queue, open-source edition): {@code SingleChronicleQueueBuilder.binary(dir)}
 * with its defaults (daily roll cycle, default block size, no sync mode: messages go to memory-mapped files and the
 * page cache, never forced), one {@code ExcerptAppender} per appender thread as its documentation requires. A message
 * is the appender id (int), its sequence (long) and the payload, written with {@code writingDocument()}. The ceiling
 * for {@code SyncMode.NONE}. An "atomic batch" is the same number of messages written one after the other (Chronicle
 * Queue has no multi-message atomic write).
 */
final class ChronicleSystem implements AppendSystem {

    @Override
    public String name() {
        return "chronicle-queue";
    }

    @Override
    public String configuration() {
        return "SingleChronicleQueueBuilder.binary(dir).build() with defaults (daily roll cycle, mmap, page cache, no "
                + "fsync); one ExcerptAppender per appender thread; message = int appender + long sequence + payload "
                + "via writingDocument(); batch = N messages in a row (not atomic)";
    }

    @Override
    public Session open(Path dir, Scenario s) {
        SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(dir).build();
        byte[] payload = Payloads.of(s.payload());
        return new Threaded() {
            @Override
            public int eventsPerOp() {
                return s.batch();
            }

            @Override
            public Client client(int appender) {
                ExcerptAppender ap = queue.createAppender();
                return new Client() {
                    @Override
                    public void run(long op) {
                        for (int j = 0; j < s.batch(); j++) {
                            try (DocumentContext dc = ap.writingDocument()) {
                                Bytes<?> b = dc.wire().bytes();
                                b.writeInt(appender);
                                b.writeLong(op * s.batch() + j);
                                b.write(payload);
                            }
                        }
                    }

                    @Override
                    public void close() {
                        ap.close();
                    }
                };
            }

            @Override
            public void close() {
                queue.close();
            }
        };
    }
}
