package io.batpak.core.internal.segment;

import static io.batpak.core.internal.segment.FrameLayout.*;

import io.batpak.core.Coordinate;
import io.batpak.core.EventId;
import io.batpak.core.EventKind;
import io.batpak.core.Hash;
import io.batpak.core.PayloadCodec;
import io.batpak.core.StoredEvent;
import io.batpak.core.Tags;
import io.batpak.core.error.InvalidCoordinateException;
import io.batpak.core.internal.crypto.SealedPayloadException;
import io.batpak.core.internal.crypto.SubjectKeyStore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32C;
import org.bouncycastle.crypto.digests.Blake3Digest;

/**
 * A reusable flyweight over one frame inside a ByteBuffer (see {@link FrameLayout}). {@link #wrap} points it at a
 * frame; getters read fields in place without copying. Not thread-safe; one instance per thread.
 */
public final class FrameView {
    private ByteBuffer buf;
    private int base;
    private final CRC32C crc = new CRC32C();
    /** Created on first use: only names outside ASCII need it. */
    private CharsetDecoder strictUtf8;

    /** Points this view at the frame starting at {@code offset} of {@code buffer}. */
    public FrameView wrap(ByteBuffer buffer, int offset) {
        this.buf = buffer.order() == ByteOrder.LITTLE_ENDIAN ? buffer : buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.base = offset;
        return this;
    }

    public int offset() {
        return base;
    }

    /** The frameLength field (bytes after the 8-byte prefix), unsigned. */
    public long frameLength() {
        return Integer.toUnsignedLong(buf.getInt(base + LENGTH_OFFSET));
    }

    /** Total frame size including the prefix, from the length field. */
    public long totalLength() {
        return frameLength() + PREFIX_LENGTH;
    }

    public int storedCrc() {
        return buf.getInt(base + CRC_OFFSET);
    }

    /** CRC32C of the covered region, computed now; requires the whole frame to be inside the buffer. */
    public int computeCrc() {
        crc.reset();
        ByteBuffer slice = buf.duplicate();
        slice.limit(base + (int) totalLength()).position(base + PREFIX_LENGTH);
        crc.update(slice);
        return (int) crc.getValue();
    }

    /**
     * Checks the structure of a frame whose bytes are all inside the buffer: checksum, type, payload state,
     * reserved fields, name and tag lengths and that the declared lengths add up.
     *
     * @return null when the frame is valid, else a description of the first problem found
     */
    public String validate() {
        long len = frameLength();
        if (len < MIN_FRAME_LENGTH) {
            return "frame length " + len + " is below the minimum " + MIN_FRAME_LENGTH;
        }
        if (computeCrc() != storedCrc()) {
            return "frame checksum mismatch";
        }
        if (frameType() == FRAME_TYPE_REMOVAL) {
            return RemovalFrame.problem(buf, base, len);
        }
        if (frameType() != FRAME_TYPE_EVENT) {
            return "unknown frame type " + frameType();
        }
        int state = payloadState();
        if (state != PAYLOAD_PRESENT && state != PAYLOAD_REDACTED) {
            return "unknown payload state " + state;
        }
        int encoding = payloadEncoding();
        if (encoding != ENCODING_PLAIN && encoding != ENCODING_SEALED) {
            return "unknown payload encoding " + encoding;
        }
        boolean reservedZero = true;
        for (int i = 0; i < STATE_RESERVED_LENGTH; i++) {
            reservedZero &= buf.get(base + STATE_RESERVED_OFFSET + i) == 0;
        }
        if (!reservedZero) {
            return "reserved header field is not zero";
        }
        int el = entityLength();
        int sl = scopeLength();
        if (el < 1 || el > Coordinate.MAX_COMPONENT_BYTES || sl < 1 || sl > Coordinate.MAX_COMPONENT_BYTES) {
            return "bad entity/scope length " + el + "/" + sl;
        }
        int tags = tagCount();
        if (tags > Tags.MAX_TAGS) {
            return "tag count " + tags + " is above " + Tags.MAX_TAGS;
        }
        long end = PREFIX_LENGTH + len;
        long at = VARIABLE_OFFSET + (long) el + sl;
        for (int i = 0; i < tags; i++) {
            if (at + TAG_LENGTH_PREFIX > end) {
                return "tag " + i + " runs past the end of the frame";
            }
            int tl = buf.getShort(base + (int) at) & 0xFFFF;
            if (tl < 1 || tl > Tags.MAX_TAG_BYTES) {
                return "bad length " + tl + " of tag " + i;
            }
            at += TAG_LENGTH_PREFIX + tl;
        }
        long payload = state == PAYLOAD_PRESENT ? payloadLength() : 0;
        if (at + payload != end) {
            return "frame length " + len + " does not match its parts";
        }
        long count = batchCount();
        long index = batchIndex();
        if (count < 1 || index >= count) {
            return "bad batch position " + index + "/" + count;
        }
        return null;
    }

    public long globalSequence() {
        return buf.getLong(base + GLOBAL_SEQUENCE_OFFSET);
    }

    public long batchCount() {
        return Integer.toUnsignedLong(buf.getInt(base + BATCH_COUNT_OFFSET));
    }

    public long batchIndex() {
        return Integer.toUnsignedLong(buf.getInt(base + BATCH_INDEX_OFFSET));
    }

    public int frameType() {
        return buf.get(base + FRAME_TYPE_OFFSET);
    }

    /** Whether this is a removal frame (see {@link RemovalFrame}) rather than an event. */
    public boolean isRemoval() {
        return frameType() == FRAME_TYPE_REMOVAL;
    }

    /** Global sequences the frame covers: 1 for an event, the removed count for a removal frame. */
    public long sequenceSpan() {
        return isRemoval() ? RemovalFrame.removedCount(buf, base) : 1;
    }

    /** Decodes a validated removal frame. */
    public RemovalFrame.Decoded removal() {
        return RemovalFrame.decode(buf, base);
    }

    public int flags() {
        return buf.get(base + FLAGS_OFFSET) & 0xFF;
    }

    public int kind() {
        return buf.getShort(base + KIND_OFFSET) & 0xFFFF;
    }

    public int payloadVersion() {
        return buf.getShort(base + PAYLOAD_VERSION_OFFSET) & 0xFFFF;
    }

    public int entityLength() {
        return buf.getShort(base + ENTITY_LENGTH_OFFSET) & 0xFFFF;
    }

    public int scopeLength() {
        return buf.getShort(base + SCOPE_LENGTH_OFFSET) & 0xFFFF;
    }

    /** {@link FrameLayout#PAYLOAD_PRESENT} or {@link FrameLayout#PAYLOAD_REDACTED}. */
    public int payloadState() {
        return buf.get(base + PAYLOAD_STATE_OFFSET) & 0xFF;
    }

    /** Whether the payload bytes were removed (the digest stays). */
    public boolean payloadRedacted() {
        return payloadState() == PAYLOAD_REDACTED;
    }

    public int tagCount() {
        return buf.get(base + TAG_COUNT_OFFSET) & 0xFF;
    }

    /** Offset of the first tag's length prefix, relative to the frame. */
    private int tagsOffset() {
        return VARIABLE_OFFSET + entityLength() + scopeLength();
    }

    /** Offset where the tags end and the payload (if present) starts, relative to the frame. */
    public int payloadOffset() {
        int at = tagsOffset();
        for (int i = tagCount(); i > 0; i--) {
            at += TAG_LENGTH_PREFIX + (buf.getShort(base + at) & 0xFFFF);
        }
        return at;
    }

    /** The tags in the order they were given; an empty list when there are none. */
    public List<String> tags() {
        int n = tagCount();
        if (n == 0) {
            return List.of();
        }
        String[] out = new String[n];
        int at = tagsOffset();
        for (int i = 0; i < n; i++) {
            int tl = buf.getShort(base + at) & 0xFFFF;
            out[i] = string(base + at + TAG_LENGTH_PREFIX, tl);
            at += TAG_LENGTH_PREFIX + tl;
        }
        return List.of(out);
    }

    /** The payload length as appended (also for a redacted payload, whose bytes are gone). */
    public long payloadLength() {
        return Integer.toUnsignedLong(buf.getInt(base + PAYLOAD_LENGTH_OFFSET));
    }

    public long entitySequence() {
        return buf.getLong(base + ENTITY_SEQUENCE_OFFSET);
    }

    public long timestampMicros() {
        return buf.getLong(base + TIMESTAMP_OFFSET);
    }

    public long eventIdMsb() {
        return buf.getLong(base + EVENT_ID_OFFSET);
    }

    public long eventIdLsb() {
        return buf.getLong(base + EVENT_ID_OFFSET + 8);
    }

    public long idempotencyKeyMsb() {
        return buf.getLong(base + IDEMPOTENCY_KEY_OFFSET);
    }

    public long idempotencyKeyLsb() {
        return buf.getLong(base + IDEMPOTENCY_KEY_OFFSET + 8);
    }

    /** The 128-bit id at {@code off} of the frame (correlation, causation), null when all zero. */
    public EventId idAt(int off) {
        return id(off);
    }

    private EventId id(int off) {
        long msb = buf.getLong(base + off);
        long lsb = buf.getLong(base + off + 8);
        return msb == 0 && lsb == 0 ? null : new EventId(msb, lsb);
    }

    /**
     * Recomputes the frame's eventHash, {@code BLAKE3(domain || bytes[96, end of tags) || payloadDigest)}, from the
     * stored digest, into {@code out} (32 bytes). Requires the whole frame to be inside the buffer.
     */
    public void computeEventHash(Blake3Digest digest, byte[] out) {
        byte[] domain = FrameLayout.hashDomainRef();
        digest.update(domain, 0, domain.length);
        update(digest, base + HASHED_OFFSET, payloadOffset() - HASHED_OFFSET);
        update(digest, base + PAYLOAD_DIGEST_OFFSET, Hash.LENGTH);
        digest.doFinal(out, 0);
    }

    /**
     * Computes BLAKE3 of the payload bytes as stored into {@code out} (32 bytes); compare it with
     * {@link #payloadDigestEquals}. Only meaningful when the payload is present.
     */
    public void computePayloadDigest(Blake3Digest digest, byte[] out) {
        update(digest, base + payloadOffset(), (int) payloadLength());
        digest.doFinal(out, 0);
    }

    /** Whether the stored payload digest equals {@code expected}. */
    public boolean payloadDigestEquals(byte[] expected) {
        return bytesEqual(base + PAYLOAD_DIGEST_OFFSET, expected);
    }

    /** Copies the 32-byte payload digest into {@code dst}. */
    public void payloadDigest(byte[] dst) {
        buf.get(base + PAYLOAD_DIGEST_OFFSET, dst, 0, Hash.LENGTH);
    }

    private void update(Blake3Digest digest, int from, int len) {
        if (buf.hasArray()) {
            digest.update(buf.array(), buf.arrayOffset() + from, len);
        } else {
            byte[] region = new byte[len];
            buf.get(from, region);
            digest.update(region, 0, len);
        }
    }

    /** Copies the 32-byte prevHash into {@code dst}. */
    public void prevHash(byte[] dst) {
        buf.get(base + PREV_HASH_OFFSET, dst, 0, Hash.LENGTH);
    }

    /** Copies the 32-byte eventHash into {@code dst}. */
    public void eventHash(byte[] dst) {
        buf.get(base + EVENT_HASH_OFFSET, dst, 0, Hash.LENGTH);
    }

    /** Whether the stored prevHash equals {@code expected}. */
    public boolean prevHashEquals(byte[] expected) {
        for (int i = 0; i < Hash.LENGTH; i++) {
            if (buf.get(base + PREV_HASH_OFFSET + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Checks that the entity and scope names are what a writer could have stored: strict UTF-8 that passes the
     * {@link Coordinate} rules. A checksum-valid frame can still fail this when it was crafted or damaged and
     * re-checksummed; it is then corruption, never an event.
     *
     * @return null when both names are valid, else the problem
     */
    public String namesProblem() {
        String entity = strictString(base + VARIABLE_OFFSET, entityLength());
        String scope = strictString(base + VARIABLE_OFFSET + entityLength(), scopeLength());
        if (entity == null || scope == null) {
            return (entity == null ? "entity" : "scope") + " name is not valid UTF-8";
        }
        try {
            Coordinate.validate("entity", entity);
            Coordinate.validate("scope", scope);
        } catch (InvalidCoordinateException e) {
            return "stored " + e.getMessage();
        }
        return tagsProblem();
    }

    /**
     * Checks that the tags are what a writer could have stored: strict UTF-8, valid tag names, no duplicates.
     *
     * @return null when they are, else the problem
     */
    public String tagsProblem() {
        int n = tagCount();
        if (n == 0) {
            return null;
        }
        int at = tagsOffset();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < n; i++) {
            int tl = buf.getShort(base + at) & 0xFFFF;
            String tag = strictString(base + at + TAG_LENGTH_PREFIX, tl);
            if (tag == null) {
                return "tag " + i + " is not valid UTF-8";
            }
            String problem = Tags.problem(tag);
            if (problem != null) {
                return "stored tag " + i + " " + problem;
            }
            if (!seen.add(tag)) {
                return "stored tag " + i + " repeats \"" + tag + "\"";
            }
            at += TAG_LENGTH_PREFIX + tl;
        }
        return null;
    }

    private String strictString(int off, int len) {
        byte[] b = new byte[len];
        buf.get(off, b);
        boolean ascii = true;
        for (byte x : b) {
            ascii &= x >= 0;
        }
        if (ascii) {
            return new String(b, StandardCharsets.US_ASCII);
        }
        if (strictUtf8 == null) {
            strictUtf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
        }
        try {
            return strictUtf8.reset().decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    public String entity() {
        return string(base + VARIABLE_OFFSET, entityLength());
    }

    public String scope() {
        return string(base + VARIABLE_OFFSET + entityLength(), scopeLength());
    }

    /** Whether the entity name bytes equal {@code utf8}. */
    public boolean entityEquals(byte[] utf8) {
        if (utf8.length != entityLength()) {
            return false;
        }
        int off = base + VARIABLE_OFFSET;
        for (int i = 0; i < utf8.length; i++) {
            if (buf.get(off + i) != utf8[i]) {
                return false;
            }
        }
        return true;
    }

    /** The payload bytes; empty when the payload was redacted. */
    public byte[] payload() {
        if (payloadRedacted()) {
            return new byte[0];
        }
        byte[] out = new byte[(int) payloadLength()];
        buf.get(base + payloadOffset(), out);
        return out;
    }

    /** A hash of the entity name's UTF-8 bytes, computed in place (no decoding, no allocation). */
    public int entityBytesHash() {
        return bytesHash(base + VARIABLE_OFFSET, entityLength());
    }

    /** A hash of the scope name's UTF-8 bytes, computed in place. */
    public int scopeBytesHash() {
        return bytesHash(base + VARIABLE_OFFSET + entityLength(), scopeLength());
    }

    /** Whether the scope name bytes equal {@code utf8}. */
    public boolean scopeEquals(byte[] utf8) {
        return utf8.length == scopeLength() && bytesEqual(base + VARIABLE_OFFSET + entityLength(), utf8);
    }

    /** A copy of the entity name's UTF-8 bytes. */
    public byte[] entityBytes() {
        byte[] b = new byte[entityLength()];
        buf.get(base + VARIABLE_OFFSET, b);
        return b;
    }

    /** A copy of the scope name's UTF-8 bytes. */
    public byte[] scopeBytes() {
        byte[] b = new byte[scopeLength()];
        buf.get(base + VARIABLE_OFFSET + entityLength(), b);
        return b;
    }

    private int bytesHash(int off, int len) {
        int h = 1;
        for (int i = 0; i < len; i++) {
            h = 31 * h + buf.get(off + i);
        }
        return h;
    }

    private boolean bytesEqual(int off, byte[] utf8) {
        for (int i = 0; i < utf8.length; i++) {
            if (buf.get(off + i) != utf8[i]) {
                return false;
            }
        }
        return true;
    }

    private String string(int off, int len) {
        byte[] b = new byte[len];
        buf.get(off, b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** The payload encoding: {@link FrameLayout#ENCODING_PLAIN} or {@link FrameLayout#ENCODING_SEALED}. */
    public int payloadEncoding() {
        return buf.get(base + PAYLOAD_ENCODING_OFFSET) & 0xFF;
    }

    /** Whether the payload is sealed for a data subject. */
    public boolean payloadSealed() {
        return payloadEncoding() == ENCODING_SEALED;
    }

    /**
     * Materialises the frame as a {@link StoredEvent}. A sealed payload is decrypted with {@code keys}; when its key
     * is gone (the subject was forgotten) the event comes back with its payload erased.
     *
     * @throws SealedPayloadException when the key is there and the sealed bytes fail authentication
     */
    public StoredEvent toStoredEvent(PayloadCodec codec, SubjectKeyStore keys) {
        return toStoredEvent(codec, keys, null);
    }

    /**
     * {@link #toStoredEvent(PayloadCodec, SubjectKeyStore)} with the event's coordinate already known (from the
     * index, which was built from this frame), so its names are neither decoded nor validated again.
     */
    public StoredEvent toStoredEvent(PayloadCodec codec, SubjectKeyStore keys, Coordinate coordinate) {
        if (!payloadSealed()) {
            return toStoredEvent(codec, payload(), payloadRedacted(), false, coordinate);
        }
        if (payloadRedacted()) {
            return toStoredEvent(codec, new byte[0], true, true, coordinate);
        }
        byte[] plain = keys.unseal(payload());
        return plain == null ? toStoredEvent(codec, new byte[0], true, true, coordinate)
                : toStoredEvent(codec, plain, false, true, coordinate);
    }

    private StoredEvent toStoredEvent(PayloadCodec codec, byte[] payload, boolean erased, boolean sealed,
                                      Coordinate known) {
        EventId id = new EventId(eventIdMsb(), eventIdLsb());
        EventId corr = id(CORRELATION_ID_OFFSET);
        Coordinate coordinate = known != null ? known : new Coordinate(entity(), scope());
        return new StoredEvent(id, coordinate, EventKind.fromRaw(kind()), entitySequence(),
                globalSequence(), timestampMicros(), corr == null ? id : corr, id(CAUSATION_ID_OFFSET), flags(),
                payloadVersion(), hashAt(PREV_HASH_OFFSET), hashAt(EVENT_HASH_OFFSET), tags(),
                hashAt(PAYLOAD_DIGEST_OFFSET), erased, sealed, payload, codec);
    }

    /** The 32-byte hash at {@code offset} of the frame. */
    private Hash hashAt(int offset) {
        return buf.hasArray() ? Hash.copyOf(buf.array(), buf.arrayOffset() + base + offset)
                : Hash.copyOf(buf, base + offset);
    }
}
