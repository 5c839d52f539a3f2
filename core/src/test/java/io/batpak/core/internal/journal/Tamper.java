package io.batpak.core.internal.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.batpak.core.internal.segment.DurableEnd;
import io.batpak.core.internal.segment.FrameLayout;
import io.batpak.core.internal.segment.FrameView;
import io.batpak.core.internal.segment.SegmentFiles;
import io.batpak.core.internal.segment.SegmentHeader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.bouncycastle.crypto.digests.Blake3Digest;

/** Deliberate, checksum-preserving damage to segment files, and a byte-exact picture of a directory. */
final class Tamper {
    private Tamper() {
    }

    /** One frame of a segment file. */
    record Frame(Path file, long offset, int size, long globalSequence, String entity, long entitySequence) {
    }

    /** Every frame of a segment file, walked by the length prefix from offset 64. */
    static List<Frame> frames(Path segment) {
        ByteBuffer b = read(segment);
        List<Frame> out = new ArrayList<>();
        FrameView v = new FrameView();
        int pos = SegmentHeader.LENGTH;
        while (pos + FrameLayout.PREFIX_LENGTH <= b.limit()) {
            v.wrap(b, pos);
            int size = (int) v.totalLength();
            if (pos + size > b.limit()) {
                break;
            }
            out.add(new Frame(segment, pos, size, v.globalSequence(), v.entity(), v.entitySequence()));
            pos += size;
        }
        return out;
    }

    /**
     * Rewinds the durable-end mark to just before {@code torn}, as it stood while the write of {@code torn} was
     * under way: a crash then, not damage to acknowledged data, is what a torn tail simulates.
     */
    static void rewindDurableEnd(Path dataDir, Frame torn) {
        try {
            DurableEnd.write(dataDir, new DurableEnd.Mark(SegmentFiles.parse(torn.file().getFileName().toString()),
                    torn.offset(), torn.globalSequence()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every frame of every segment of a store, in file order. */
    static List<Frame> allFrames(Path dataDir) {
        List<Frame> out = new ArrayList<>();
        try {
            for (Path p : SegmentFiles.list(dataDir)) {
                out.addAll(frames(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static ByteBuffer read(Path file) {
        try {
            return ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path file, ByteBuffer b) {
        try {
            Files.write(file, b.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Changes the frame with {@code edit} (given a little-endian buffer holding exactly the frame) and recomputes
     * its CRC32C, so that only the hash chain can tell.
     */
    static void edit(Frame f, Consumer<ByteBuffer> edit) {
        ByteBuffer file = read(f.file());
        ByteBuffer frame = ByteBuffer.allocate(f.size()).order(ByteOrder.LITTLE_ENDIAN);
        frame.put(0, file.array(), (int) f.offset(), f.size());
        edit.accept(frame);
        recomputeCrc(frame);
        file.put((int) f.offset(), frame.array(), 0, f.size());
        write(f.file(), file);
    }

    /** Like {@link #edit}, and also recomputes the frame's payload digest and eventHash (a careful forger). */
    static void editAndRehash(Frame f, Consumer<ByteBuffer> edit) {
        edit(f, frame -> {
            edit.accept(frame);
            FrameView v = new FrameView().wrap(frame, 0);
            Blake3Digest d = new Blake3Digest(256);
            byte[] h = new byte[32];
            if (!v.payloadRedacted()) {
                v.computePayloadDigest(d, h);
                frame.put(FrameLayout.PAYLOAD_DIGEST_OFFSET, h);
            }
            v.computeEventHash(d, h);
            frame.put(FrameLayout.EVENT_HASH_OFFSET, h);
        });
    }

    static void recomputeCrc(ByteBuffer frame) {
        CRC32C crc = new CRC32C();
        crc.update(frame.array(), FrameLayout.PREFIX_LENGTH, frame.capacity() - FrameLayout.PREFIX_LENGTH);
        frame.putInt(FrameLayout.CRC_OFFSET, (int) crc.getValue());
    }

    /** Exchanges two frames of equal size in one file (their bytes, checksums included, are moved unchanged). */
    static void swap(Frame a, Frame b) {
        assertEquals(a.file(), b.file());
        assertEquals(a.size(), b.size(), "swap needs frames of equal size");
        ByteBuffer file = read(a.file());
        byte[] x = new byte[a.size()];
        byte[] y = new byte[b.size()];
        file.get((int) a.offset(), x);
        file.get((int) b.offset(), y);
        file.put((int) a.offset(), y);
        file.put((int) b.offset(), x);
        write(a.file(), file);
    }

    /** Every file under {@code dir} (relative path) with its size and SHA-256; directories listed too. */
    static Map<String, String> picture(Path dir) {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String rel = dir.relativize(p).toString();
                if (Files.isDirectory(p)) {
                    out.put(rel + "/", "dir");
                } else {
                    byte[] bytes = Files.readAllBytes(p);
                    out.put(rel, bytes.length + " " + HexFormat.of().formatHex(
                            MessageDigest.getInstance("SHA-256").digest(bytes)) + " " + Files.getLastModifiedTime(p));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        return out;
    }
}
