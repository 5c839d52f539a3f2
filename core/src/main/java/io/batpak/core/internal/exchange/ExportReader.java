package io.batpak.core.internal.exchange;

import com.fasterxml.jackson.databind.JsonNode;
import io.batpak.core.Coordinate;
import io.batpak.core.EventId;
import io.batpak.core.EventKind;
import io.batpak.core.ExportFormat;
import io.batpak.core.Hash;
import io.batpak.core.IdempotencyKey;
import io.batpak.core.Tags;
import io.batpak.core.error.InvalidExportFileException;
import io.batpak.core.error.StoreException;
import io.batpak.core.internal.segment.FrameEncoder;
import io.batpak.core.internal.segment.FrameLayout;
import io.batpak.core.internal.segment.FrameView;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.bouncycastle.crypto.digests.Blake3Digest;

/**
 * Reads an export file event by event, checking everything: the header, each event (its frame's checksum and
 * structure, or every NDJSON field; names and tags; the eventHash recomputed from the fields and the payload against
 * its digest), the count and the digest of the whole file in the trailer. A file that is cut short or changed anywhere
 * fails with {@link InvalidExportFileException} naming the line or byte offset. Memory is bounded by one event. Not
 * thread-safe.
 */
public final class ExportReader implements AutoCloseable {
    /** What a sealed payload may carry beyond its plaintext (the envelope's version, key id, nonce and tag). */
    private static final int ENVELOPE_SLACK = 64;
    private final Path file;
    private final InputStream in;
    private final ExportFormat format;
    private final String storeId;
    private final int maxPayloadBytes;
    private final Blake3Digest digest = new Blake3Digest(256);
    private final FrameView view = new FrameView();
    private final FrameEncoder encoder = new FrameEncoder();
    private long position;
    private long line = 1;
    private long events;
    private boolean ended;

    private ExportReader(Path file, int maxPayloadBytes) throws IOException {
        this.file = file;
        this.maxPayloadBytes = maxPayloadBytes;
        this.in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            byte[] start = readUpTo(8);
            if (Arrays.equals(start, ExportFiles.BINARY_MAGIC)) {
                format = ExportFormat.BINARY;
                ByteBuffer h = ByteBuffer.wrap(readFully(8, "header")).order(ByteOrder.LITTLE_ENDIAN);
                int version = h.getShort(0) & 0xFFFF;
                checkVersion(version);
                int length = h.getInt(4);
                if (length < 2 || length > 1 << 20) {
                    throw bad(8, "bad header length " + length);
                }
                storeId = header(readFully(length, "header"), 16);
            } else {
                format = ExportFormat.NDJSON;
                byte[] rest = readLine(start);
                if (rest == null || !new String(rest, StandardCharsets.UTF_8).startsWith(ExportFiles.NDJSON_START)) {
                    throw bad(-1, "not a batpak export (neither a binary export nor an NDJSON export header)");
                }
                storeId = header(rest, 1);
                line++;
            }
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /**
     * Opens {@code file} and reads its header.
     *
     * @param maxPayloadBytes the importing store's payload limit; a larger payload is refused
     * @throws InvalidExportFileException when it is not a batpak export or its header is damaged
     */
    public static ExportReader open(Path file, int maxPayloadBytes) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new InvalidExportFileException(file, -1, "not a regular file");
        }
        return new ExportReader(file, maxPayloadBytes);
    }

    public ExportFormat format() {
        return format;
    }

    /** The id of the store the file was exported from. */
    public String storeId() {
        return storeId;
    }

    /** Events read so far. */
    public long events() {
        return events;
    }

    /**
     * The next event, checked; null once the trailer was read and checked.
     *
     * @throws InvalidExportFileException when the file is damaged or truncated at this point
     */
    public ExportedEvent next() throws IOException {
        if (ended) {
            return null;
        }
        return format == ExportFormat.BINARY ? nextBinary() : nextLine();
    }

    private ExportedEvent nextBinary() throws IOException {
        long at = position;
        byte[] expected = digestSoFar();
        byte[] lengthBytes = readFully(4, "record length");
        int length = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (length == ExportFiles.TRAILER_MARK) {
            ByteBuffer t = ByteBuffer.wrap(readFully(8 + 32, "trailer")).order(ByteOrder.LITTLE_ENDIAN);
            long count = t.getLong(0);
            byte[] stored = Arrays.copyOfRange(t.array(), 8, 40);
            finish(at, count, stored, expected);
            return null;
        }
        // The largest frame this store could take: a sealed payload is the plaintext plus its envelope's overhead.
        long maxFrame = FrameLayout.frameSize(Coordinate.MAX_COMPONENT_BYTES, Coordinate.MAX_COMPONENT_BYTES,
                Tags.MAX_TAGS * (FrameLayout.TAG_LENGTH_PREFIX + Tags.MAX_TAG_BYTES), 0) + (long) maxPayloadBytes + 64;
        if (length < FrameLayout.VARIABLE_OFFSET || length > maxFrame) {
            throw bad(at, "bad record length " + length);
        }
        byte[] frame = readFully(length, "event frame");
        FrameView v = view.wrap(ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN), 0);
        String problem = v.totalLength() != length ? "frame length " + v.totalLength() + " is not the record's "
                + length : v.validate();
        if (problem == null && v.isRemoval()) {
            problem = "a removal frame is not an event";
        }
        if (problem == null) {
            problem = v.namesProblem();
        }
        if (problem == null) {
            problem = hashesProblem(v);
        }
        if (problem == null && v.payloadLength() > maxPayloadBytes + (v.payloadSealed() ? ENVELOPE_SLACK : 0)) {
            problem = "a payload of " + v.payloadLength() + " bytes exceeds this store's batpak.max-payload-bytes ("
                    + maxPayloadBytes + ")";
        }
        if (problem != null) {
            throw bad(at + 4, problem);
        }
        events++;
        byte[] hash = new byte[32];
        v.eventHash(hash);
        return new ExportedEvent(new EventId(v.eventIdMsb(), v.eventIdLsb()), new Coordinate(v.entity(), v.scope()),
                EventKind.fromRaw(v.kind()), v.idAt(FrameLayout.CORRELATION_ID_OFFSET),
                v.idAt(FrameLayout.CAUSATION_ID_OFFSET), v.flags(), v.payloadVersion(), v.tags(), v.payload(),
                v.payloadSealed(), v.payloadRedacted(), v.globalSequence(), v.entitySequence(), v.timestampMicros(),
                hash);
    }

    /** Recomputes the eventHash from the frame's fields and checks the payload against its digest. */
    private String hashesProblem(FrameView v) {
        Blake3Digest d = new Blake3Digest(256);
        byte[] out = new byte[32];
        v.computeEventHash(d, out);
        byte[] stored = new byte[32];
        v.eventHash(stored);
        if (!Arrays.equals(out, stored)) {
            return "eventHash does not match the event's fields";
        }
        if (!v.payloadRedacted()) {
            v.computePayloadDigest(d, out);
            if (!v.payloadDigestEquals(out)) {
                return "payload does not match its digest";
            }
        }
        return null;
    }

    private ExportedEvent nextLine() throws IOException {
        byte[] digestBefore = digestSoFar();
        byte[] bytes = readLine(new byte[0]);
        if (bytes == null) {
            throw bad(line, "the file ends without its trailer line (it is truncated)");
        }
        long here = line++;
        JsonNode n;
        try {
            n = ExportFiles.JSON.readTree(bytes);
        } catch (IOException e) {
            throw bad(here, "not JSON: " + e.getMessage());
        }
        if (n == null || !n.isObject()) {
            throw bad(here, "not a JSON object");
        }
        if (n.path("end").asBoolean(false)) {
            finish(here, n.path("events").asLong(-1), hex(n, "digest", here), digestBefore);
            return null;
        }
        try {
            return event(n, here);
        } catch (StoreException | IllegalArgumentException e) {
            if (e instanceof InvalidExportFileException ie) {
                throw ie;
            }
            throw bad(here, e.getMessage());
        }
    }

    private ExportedEvent event(JsonNode n, long here) {
        EventId id = EventId.parse(text(n, "eventId", here));
        Coordinate c = new Coordinate(text(n, "entity", here), text(n, "scope", here));
        int kind = (int) number(n, "kind", here, 0, 0xFFFF);
        long seq = number(n, "entitySequence", here, 0, Long.MAX_VALUE);
        long ts = number(n, "timestampMicros", here, Long.MIN_VALUE, Long.MAX_VALUE);
        long global = number(n, "globalSequence", here, 0, Long.MAX_VALUE);
        EventId corr = optionalId(n, "correlationId");
        EventId caus = optionalId(n, "causationId");
        JsonNode key = n.path("idempotencyKey");
        IdempotencyKey idem = key.isTextual() ? IdempotencyKey.of(UUID.fromString(key.asText())) : null;
        int flags = (int) number(n, "flags", here, 0, 255);
        int version = (int) number(n, "payloadVersion", here, 0, 0xFFFF);
        List<String> tags = new ArrayList<>();
        for (JsonNode t : n.path("tags")) {
            String tag = t.asText();
            String problem = Tags.problem(tag);
            if (problem != null) {
                throw bad(here, "tag \"" + tag + "\" " + problem);
            }
            tags.add(tag);
        }
        if (tags.size() > Tags.MAX_TAGS) {
            throw bad(here, tags.size() + " tags, more than " + Tags.MAX_TAGS);
        }
        byte[] prev = hex(n, "prevHash", here);
        byte[] hash = hex(n, "eventHash", here);
        byte[] payloadDigest = hex(n, "payloadDigest", here);
        long payloadLength = number(n, "payloadLength", here, 0, Integer.MAX_VALUE);
        String encoding = text(n, "payloadEncoding", here);
        if (!encoding.equals("plain") && !encoding.equals("sealed")) {
            throw bad(here, "unknown payloadEncoding \"" + encoding + "\"");
        }
        boolean sealed = encoding.equals("sealed");
        boolean redacted = n.path("payloadRedacted").asBoolean(false);
        byte[] payload;
        if (redacted) {
            payload = new byte[0];
        } else if (n.has("payloadBase64")) {
            payload = Base64.getDecoder().decode(text(n, "payloadBase64", here));
            if (n.has("payload") && !ExportFiles.sameValue(n.get("payload"), payload)) {
                throw bad(here, "payload and payloadBase64 disagree");
            }
        } else if (n.has("payload") && !sealed) {
            try {
                payload = ExportFiles.CBOR.writeValueAsBytes(n.get("payload"));
            } catch (IOException e) {
                throw bad(here, "payload cannot be encoded: " + e.getMessage());
            }
        } else {
            throw bad(here, "no payload");
        }
        if (payloadLength > maxPayloadBytes + (sealed ? ENVELOPE_SLACK : 0)) {
            throw bad(here, "a payload of " + payloadLength + " bytes exceeds this store's batpak.max-payload-bytes ("
                    + maxPayloadBytes + ")");
        }
        if (!redacted && (payload.length != payloadLength || !Arrays.equals(Hash.blake3(payload).toByteArray(),
                payloadDigest))) {
            throw bad(here, "payload does not match its length and digest");
        }
        // The eventHash over the fields as given: any changed field, name or tag is caught here.
        byte[][] tagBytes = new byte[tags.size()][];
        for (int i = 0; i < tagBytes.length; i++) {
            tagBytes[i] = tags.get(i).getBytes(StandardCharsets.UTF_8);
        }
        byte[] frame = encoder.encode(c.entityBytes(), c.scopeBytes(), tagBytes.length == 0 ? null : tagBytes,
                new byte[0], sealed ? FrameLayout.ENCODING_SEALED : FrameLayout.ENCODING_PLAIN, kind, flags, version,
                seq, ts, id, corr == null ? id : corr, caus, idem, prev, new byte[32]);
        ByteBuffer b = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(FrameLayout.PAYLOAD_LENGTH_OFFSET, (int) payloadLength);
        b.put(FrameLayout.PAYLOAD_DIGEST_OFFSET, payloadDigest);
        byte[] computed = new byte[32];
        view.wrap(b, 0).computeEventHash(new Blake3Digest(256), computed);
        if (!Arrays.equals(computed, hash)) {
            throw bad(here, "eventHash does not match the event's fields");
        }
        events++;
        return new ExportedEvent(id, c, EventKind.fromRaw(kind), corr, caus, flags, version, List.copyOf(tags), payload,
                sealed, redacted, global, seq, ts, hash);
    }

    private void finish(long at, long count, byte[] stored, byte[] expected) throws IOException {
        if (count != events) {
            throw bad(at, "the trailer counts " + count + " events, the file holds " + events);
        }
        if (!Arrays.equals(stored, expected)) {
            throw bad(at, "the file's digest does not match its trailer (it was changed)");
        }
        if (in.read() != -1) {
            throw bad(at, "data follows the trailer");
        }
        ended = true;
    }

    private String header(byte[] bytes, long at) throws InvalidExportFileException {
        try {
            JsonNode h = ExportFiles.JSON.readTree(bytes);
            checkVersion(h.path("batpakExport").asInt(-1));
            String id = h.path("storeId").asText("");
            if (id.isEmpty()) {
                throw bad(at, "the header names no source store");
            }
            return id;
        } catch (IOException e) {
            throw bad(at, "damaged header: " + e.getMessage());
        }
    }

    private void checkVersion(int version) throws InvalidExportFileException {
        if (version != ExportFiles.VERSION) {
            throw bad(-1, "export format version " + version + " is not supported (this build reads "
                    + ExportFiles.VERSION + ")");
        }
    }

    private String text(JsonNode n, String field, long here) throws InvalidExportFileException {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw bad(here, "field " + field + " is missing or not text");
        }
        return v.asText();
    }

    private long number(JsonNode n, String field, long here, long min, long max) throws InvalidExportFileException {
        JsonNode v = n.get(field);
        if (v == null || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
            throw bad(here, "field " + field + " is missing or out of range");
        }
        return v.asLong();
    }

    private static EventId optionalId(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isTextual() ? EventId.parse(v.asText()) : null;
    }

    private byte[] hex(JsonNode n, String field, long here) throws InvalidExportFileException {
        JsonNode v = n.get(field);
        try {
            byte[] b = HexFormat.of().parseHex(v == null ? "" : v.asText());
            if (b.length != 32) {
                throw bad(here, "field " + field + " is not 32 bytes of hex");
            }
            return b;
        } catch (IllegalArgumentException e) {
            throw bad(here, "field " + field + " is not hex");
        }
    }

    /** The digest of every byte read so far. */
    private byte[] digestSoFar() {
        Blake3Digest copy = new Blake3Digest(digest);
        byte[] out = new byte[32];
        copy.doFinal(out, 0);
        return out;
    }

    /** Up to {@code n} bytes (fewer at the end of the file), fed to the digest. */
    private byte[] readUpTo(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        feed(b);
        return b;
    }

    private byte[] readFully(int n, String what) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw bad(position, "the file ends inside the " + what + " (it is truncated)");
        }
        feed(b);
        return b;
    }

    private void feed(byte[] b) {
        digest.update(b, 0, b.length);
        position += b.length;
    }

    /** The rest of the current line after {@code prefix} (without the newline), fed to the digest; null at EOF. */
    private byte[] readLine(byte[] prefix) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(prefix);
        long limit = 4L * maxPayloadBytes + (1 << 20);
        int c;
        boolean newline = false;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                newline = true;
                break;
            }
            out.write(c);
            if (out.size() > limit) {
                throw bad(line, "line longer than " + limit + " bytes");
            }
        }
        if (!newline) {
            if (out.size() == prefix.length && prefix.length == 0) {
                return null;
            }
            throw bad(line, "the file ends inside a line (it is truncated)");
        }
        byte[] content = out.toByteArray();
        byte[] rest = Arrays.copyOfRange(content, prefix.length, content.length);
        digest.update(rest, 0, rest.length);
        digest.update(new byte[] {'\n'}, 0, 1);
        position += rest.length + 1;
        return content;
    }

    private InvalidExportFileException bad(long at, String problem) {
        return new InvalidExportFileException(file, at, problem);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
