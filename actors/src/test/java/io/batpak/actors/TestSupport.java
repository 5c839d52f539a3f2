package io.batpak.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.batpak.core.AppendReceipt;
import io.batpak.core.EventKind;
import io.batpak.core.Hash;
import io.batpak.core.StoredEvent;
import io.batpak.core.internal.segment.DurableEnd;
import io.batpak.core.internal.segment.SegmentFiles;
import io.batpak.core.internal.segment.SegmentHeader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/** Helpers shared by the store tests: waiting on stages, chain checks and raw segment-file surgery. */
final class TestSupport {
    static final EventKind KIND = EventKind.of(0x1, 0x001);
    static final EventKind OTHER_KIND = EventKind.of(0x1, 0x002);
    static final long WAIT_SECONDS = 60;

    private TestSupport() {
    }

    /** Waits for a stage that must succeed and returns its value. */
    static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("expected success, stage failed with " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("stage did not complete within " + WAIT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Waits for a stage that must fail and returns the (unwrapped) error. */
    static Throwable failureOf(CompletionStage<?> stage) {
        try {
            Object v = stage.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
            throw new AssertionError("expected the stage to fail, it completed with " + v);
        } catch (ExecutionException e) {
            return unwrap(e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("stage did not complete within " + WAIT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Waits for a stage that must fail with {@code type}. */
    static <E extends Throwable> E assertFails(Class<E> type, CompletionStage<?> stage) {
        return assertInstanceOf(type, failureOf(stage));
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Waits (polling, bounded by {@link #WAIT_SECONDS}) until {@code condition} holds; fails naming {@code what}. */
    static void eventually(String what, java.util.function.BooleanSupplier condition) {
        Polling.eventually(what, condition, java.time.Duration.ofSeconds(WAIT_SECONDS));
    }

    /** Closes a store (if not null) and waits for the close. */
    static void closeStore(BatpakStore store) {
        if (store != null) {
            await(store.closeAsync());
        }
    }

    /**
     * Reads the whole entity and checks it: entity sequences 0..n-1, prevHash of the first is zero and every
     * other prevHash is the eventHash of the event before it.
     */
    static List<StoredEvent> assertChain(BatpakStore store, String entity, int expectedCount) {
        List<StoredEvent> events = store.readEntity(entity, 0, Integer.MAX_VALUE);
        assertEquals(expectedCount, events.size(), "events of entity " + entity);
        Hash prev = Hash.ZERO;
        for (int i = 0; i < events.size(); i++) {
            StoredEvent e = events.get(i);
            assertEquals(entity, e.coordinate().entity());
            assertEquals(i, e.entitySequence(), "entity sequence of event " + i + " of " + entity);
            assertEquals(prev, e.prevHash(), "prevHash of " + entity + " #" + i);
            prev = e.eventHash();
        }
        return events;
    }

    /** Checks that the events of all {@code entities} together use each global sequence 0..last exactly once. */
    static void assertGlobalGapFree(BatpakStore store, Collection<String> entities) {
        List<Long> globals = new ArrayList<>();
        for (String entity : entities) {
            for (StoredEvent e : store.readEntity(entity, 0, Integer.MAX_VALUE)) {
                globals.add(e.globalSequence());
            }
        }
        globals.sort(null);
        assertEquals(store.lastGlobalSequence() + 1, globals.size(), "visible events vs lastGlobalSequence");
        for (int i = 0; i < globals.size(); i++) {
            assertEquals(i, globals.get(i), "global sequence at position " + i);
        }
    }

    /** Checks that a receipt describes exactly the stored event with its id. */
    static void assertStored(BatpakStore store, AppendReceipt receipt) {
        StoredEvent e = store.get(receipt.eventId()).orElseThrow(() -> new AssertionError("missing " + receipt));
        assertEquals(receipt, e.toReceipt());
    }

    // ------------------------------------------------------------------ segment files

    /** One frame found by walking a segment file. */
    record Frame(long offset, long size, long globalSequence, long batchCount, long batchIndex) {
        long end() {
            return offset + size;
        }
    }

    static List<Path> segmentFiles(Path dataDir) {
        try (Stream<Path> s = Files.list(SegmentFiles.directory(dataDir))) {
            return s.filter(p -> SegmentFiles.parse(p.getFileName().toString()) >= 0).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path newestSegment(Path dataDir) {
        List<Path> all = segmentFiles(dataDir);
        assertTrue(!all.isEmpty(), "no segment files in " + dataDir);
        return all.get(all.size() - 1);
    }

    /** Walks the frames of a segment from offset 64 using the u32 length prefix. */
    static List<Frame> frames(Path segment) {
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(segment)).order(ByteOrder.LITTLE_ENDIAN);
            List<Frame> out = new ArrayList<>();
            long pos = SegmentHeader.LENGTH;
            while (pos + 8 <= b.limit()) {
                long length = Integer.toUnsignedLong(b.getInt((int) pos));
                long size = length + 8;
                if (length == 0 || pos + size > b.limit()) {
                    fail("segment " + segment + " has an incomplete frame at " + pos);
                }
                out.add(new Frame(pos, size, b.getLong((int) pos + 8), Integer.toUnsignedLong(b.getInt((int) pos + 16)),
                        Integer.toUnsignedLong(b.getInt((int) pos + 20))));
                pos += size;
            }
            assertEquals(b.limit(), pos, "segment " + segment + " does not end at a frame boundary");
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Simulates a crash during the newest segment's last write, which began at frame {@code writeStart}: the file
     * is cut at {@code cut} and the durable-end mark is set to where it stood while that write was under way (the
     * data before the write was forced and marked, the write itself never acknowledged).
     */
    static void crashDuringWrite(Path dataDir, Frame writeStart, long cut) {
        Path newest = newestSegment(dataDir);
        truncate(newest, cut);
        markDurable(dataDir, SegmentFiles.parse(newest.getFileName().toString()), writeStart.offset(),
                writeStart.globalSequence());
    }

    /** Sets the durable-end mark: the first {@code length} bytes of a segment, events below {@code events}. */
    static void markDurable(Path dataDir, long segmentFirstSequence, long length, long events) {
        try {
            DurableEnd.write(dataDir, new DurableEnd.Mark(segmentFirstSequence, length, events));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteIfExists(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long fileSize(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void truncate(Path file, long length) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void flipBit(Path file, long offset, int bit) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            if (ch.read(one, offset) != 1) {
                fail("cannot read byte " + offset + " of " + file);
            }
            one.put(0, (byte) (one.get(0) ^ (1 << bit)));
            one.rewind();
            ch.write(one, offset);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies a store directory (files and sub-directories) to a new directory. */
    static void copyDir(Path from, Path to) {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
