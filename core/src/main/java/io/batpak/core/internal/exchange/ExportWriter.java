package io.batpak.core.internal.exchange;

import static io.batpak.core.internal.segment.FrameLayout.CRC_OFFSET;
import static io.batpak.core.internal.segment.FrameLayout.LENGTH_OFFSET;
import static io.batpak.core.internal.segment.FrameLayout.PAYLOAD_REDACTED;
import static io.batpak.core.internal.segment.FrameLayout.PAYLOAD_STATE_OFFSET;
import static io.batpak.core.internal.segment.FrameLayout.PREFIX_LENGTH;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batpak.core.EventId;
import io.batpak.core.ExportFormat;
import io.batpak.core.ExportReport;
import io.batpak.core.IoFaultHook;
import io.batpak.core.ProgressListener;
import io.batpak.core.Region;
import io.batpak.core.error.InvalidInputException;
import io.batpak.core.internal.DurableFiles;
import io.batpak.core.internal.MonotonicClock;
import io.batpak.core.internal.index.RegionQuery;
import io.batpak.core.internal.journal.StoreCore;
import io.batpak.core.internal.segment.FrameView;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;
import java.util.zip.CRC32C;
import org.bouncycastle.crypto.digests.Blake3Digest;

/**
 * Writes the events of a region, as visible when the export starts, to an export file: streaming, one page of the
 * index and one event in memory at a time. Payloads are written as stored: a sealed payload as its envelope (so a
 * forgotten subject's payloads stay unreadable in the export), a redacted one not at all. The file is written beside
 * its destination under a hidden name, forced, and published with a hard link, so an export that fails leaves no
 * file and never replaces one. Thread-safe (no shared state); runs on the caller's thread.
 */
public final class ExportWriter {
    private static final String PROGRESS_PHASE = "exporting";
    /** Progress counts global sequences scanned, of every event up to the export's end. */
    private static final String PROGRESS_UNIT = "events";
    private static final int PAGE = 1024;
    private static final int BUFFER = 1 << 20;

    private ExportWriter() {
    }

    /**
     * Exports {@code region} of {@code core} to {@code file}.
     *
     * @throws InvalidInputException when {@code file} exists, or its parent directory does not
     * @throws IOException when writing fails (nothing is left behind)
     */
    public static ExportReport write(StoreCore core, Region region, Path file, ExportFormat format, IoFaultHook hook,
                                     ProgressListener progress) throws IOException {
        Path target = file.toAbsolutePath().normalize();
        if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidInputException("file", "export file " + file + " exists; exports never replace a file");
        }
        if (target.getParent() == null || !Files.isDirectory(target.getParent())) {
            throw new InvalidInputException("file", "the directory of export file " + file + " does not exist");
        }
        Path tmp = target.resolveSibling("." + target.getFileName() + ".partial-" + UUID.randomUUID());
        long through = core.index().visible();
        long events = 0;
        try (FileChannel ch = DurableFiles.createTemporary(tmp, hook)) {
            Out out = new Out(ch, tmp.getFileName().toString(), hook);
            ObjectNode header = ExportFiles.JSON.createObjectNode();
            header.put("batpakExport", ExportFiles.VERSION);
            header.put("format", format.name().toLowerCase(java.util.Locale.ROOT));
            header.put("storeId", core.storeId());
            header.put("region", region.identity());
            header.put("throughGlobalSequence", through);
            header.put("exportedAtMicros", MonotonicClock.wallMicros());
            byte[] headerBytes = ExportFiles.JSON.writeValueAsBytes(header);
            if (format == ExportFormat.BINARY) {
                ByteBuffer h = ByteBuffer.allocate(16 + headerBytes.length).order(ByteOrder.LITTLE_ENDIAN);
                h.put(ExportFiles.BINARY_MAGIC).putShort((short) ExportFiles.VERSION).putShort((short) 0)
                        .putInt(headerBytes.length).put(headerBytes);
                out.put(h.array());
            } else {
                out.put(headerBytes);
                out.put(new byte[] {'\n'});
            }
            FrameView v = new FrameView();
            long after = -1;
            progress.progressed(PROGRESS_PHASE, 0, through + 1, PROGRESS_UNIT);
            while (after < through) {
                int[] page = RegionQuery.select(core.index(), region, after, PAGE);
                if (page.length == 0) {
                    break;
                }
                for (int g : page) {
                    if (g > through) {
                        break;
                    }
                    byte[] frame = core.rawFrame(g);
                    if (frame == null) {
                        continue; // removed by a compaction since the index was read
                    }
                    if (core.redactions().contains(g)) {
                        frame = withoutPayload(frame, v);
                    }
                    v.wrap(ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN), 0);
                    if (format == ExportFormat.BINARY) {
                        ByteBuffer len = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, frame.length);
                        out.put(len.array());
                        out.put(frame);
                    } else {
                        out.put(ExportFiles.JSON.writeValueAsBytes(line(v)));
                        out.put(new byte[] {'\n'});
                    }
                    events++;
                }
                after = page[page.length - 1];
                progress.progressed(PROGRESS_PHASE, Math.min(after, through) + 1, through + 1, PROGRESS_UNIT);
            }
            progress.progressed(PROGRESS_PHASE, through + 1, through + 1, PROGRESS_UNIT);
            byte[] digest = out.digest();
            if (format == ExportFormat.BINARY) {
                ByteBuffer t = ByteBuffer.allocate(4 + 8 + digest.length).order(ByteOrder.LITTLE_ENDIAN);
                t.putInt(ExportFiles.TRAILER_MARK).putLong(events).put(digest);
                out.put(t.array());
            } else {
                ObjectNode trailer = ExportFiles.JSON.createObjectNode();
                trailer.put("end", true);
                trailer.put("events", events);
                trailer.put("digest", HexFormat.of().formatHex(digest));
                out.put(ExportFiles.JSON.writeValueAsBytes(trailer));
                out.put(new byte[] {'\n'});
            }
            out.flush();
            DurableFiles.force(ch, tmp.getFileName().toString(), hook);
        } catch (IOException | RuntimeException e) {
            DurableFiles.discard(tmp, e);
            throw e;
        }
        try {
            hook.beforeRename(tmp.getFileName().toString(), target.getFileName().toString());
            Files.createLink(target, tmp);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            DurableFiles.discard(tmp, e);
            throw new InvalidInputException("file", "export file " + file + " was created meanwhile; exports never"
                    + " replace a file");
        } catch (IOException | RuntimeException e) {
            DurableFiles.discard(tmp, e);
            throw e;
        }
        Files.delete(tmp);
        DurableFiles.fsyncDirectory(target.getParent(), hook);
        return new ExportReport(target, format, events, Files.size(target), through, core.storeId());
    }

    /** The frame as a redacted frame: payload bytes cut, payload state 1, checksum recomputed. */
    private static byte[] withoutPayload(byte[] frame, FrameView v) {
        v.wrap(ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN), 0);
        if (v.payloadRedacted()) {
            return frame;
        }
        int keep = v.payloadOffset();
        byte[] cut = java.util.Arrays.copyOf(frame, keep);
        ByteBuffer b = ByteBuffer.wrap(cut).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(LENGTH_OFFSET, keep - PREFIX_LENGTH);
        b.put(PAYLOAD_STATE_OFFSET, PAYLOAD_REDACTED);
        CRC32C crc = new CRC32C();
        crc.update(cut, PREFIX_LENGTH, keep - PREFIX_LENGTH);
        b.putInt(CRC_OFFSET, (int) crc.getValue());
        return cut;
    }

    /** The NDJSON line of one event: every header field, the tags, the hashes and the payload. */
    private static ObjectNode line(FrameView v) {
        HexFormat hex = HexFormat.of();
        byte[] h = new byte[32];
        ObjectNode n = ExportFiles.JSON.createObjectNode();
        n.put("globalSequence", v.globalSequence());
        n.put("eventId", new EventId(v.eventIdMsb(), v.eventIdLsb()).toString());
        n.put("entity", v.entity());
        n.put("scope", v.scope());
        n.put("kind", v.kind());
        n.put("entitySequence", v.entitySequence());
        n.put("timestampMicros", v.timestampMicros());
        EventId corr = v.idAt(io.batpak.core.internal.segment.FrameLayout.CORRELATION_ID_OFFSET);
        n.put("correlationId", corr == null ? null : corr.toString());
        EventId caus = v.idAt(io.batpak.core.internal.segment.FrameLayout.CAUSATION_ID_OFFSET);
        n.put("causationId", caus == null ? null : caus.toString());
        long km = v.idempotencyKeyMsb();
        long kl = v.idempotencyKeyLsb();
        n.put("idempotencyKey", km == 0 && kl == 0 ? null : new UUID(km, kl).toString());
        n.put("flags", v.flags());
        n.put("payloadVersion", v.payloadVersion());
        ArrayNode tags = n.putArray("tags");
        v.tags().forEach(tags::add);
        v.prevHash(h);
        n.put("prevHash", hex.formatHex(h));
        v.eventHash(h);
        n.put("eventHash", hex.formatHex(h));
        v.payloadDigest(h);
        n.put("payloadDigest", hex.formatHex(h));
        n.put("payloadLength", v.payloadLength());
        n.put("payloadEncoding", v.payloadSealed() ? "sealed" : "plain");
        n.put("payloadRedacted", v.payloadRedacted());
        if (!v.payloadRedacted()) {
            byte[] payload = v.payload();
            ExportFiles.Json json = v.payloadSealed() ? null : ExportFiles.payloadAsJson(payload);
            if (json != null) {
                n.set("payload", json.node());
            }
            if (json == null || !json.exact()) {
                // The exact bytes; next to the JSON value when that alone would not restore them.
                n.put("payloadBase64", Base64.getEncoder().encodeToString(payload));
            }
        }
        return n;
    }

    /** Buffered output with a running BLAKE3 of everything written (the trailer's digest). */
    private static final class Out {
        private final FileChannel ch;
        private final String name;
        private final IoFaultHook hook;
        private final ByteBuffer buf = ByteBuffer.allocate(BUFFER);
        private final Blake3Digest digest = new Blake3Digest(256);
        private long position;

        Out(FileChannel ch, String name, IoFaultHook hook) {
            this.ch = ch;
            this.name = name;
            this.hook = hook;
        }

        void put(byte[] bytes) throws IOException {
            digest.update(bytes, 0, bytes.length);
            int at = 0;
            while (at < bytes.length) {
                if (!buf.hasRemaining()) {
                    flush();
                }
                int n = Math.min(buf.remaining(), bytes.length - at);
                buf.put(bytes, at, n);
                at += n;
            }
        }

        /** The digest of everything put so far (does not include what is put later). */
        byte[] digest() {
            Blake3Digest copy = new Blake3Digest(digest);
            byte[] out = new byte[32];
            copy.doFinal(out, 0);
            return out;
        }

        void flush() throws IOException {
            buf.flip();
            int n = buf.remaining();
            DurableFiles.writeFully(ch, name, buf, position, hook);
            position += n;
            buf.clear();
        }
    }
}
