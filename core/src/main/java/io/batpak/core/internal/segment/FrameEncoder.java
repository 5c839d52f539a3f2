package io.batpak.core.internal.segment;

import static io.batpak.core.internal.segment.FrameLayout.*;

import io.batpak.core.EventId;
import io.batpak.core.IdempotencyKey;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bouncycastle.crypto.digests.Blake3Digest;

/**
 * Encodes an event into a frame (see {@link FrameLayout}) and computes its chain hash. The placement fields
 * (global sequence, batch position) and the checksum are left zero: the writer fills them in at commit with
 * {@link #place}. Not thread-safe: one instance per thread or actor (it reuses its digest).
 */
public final class FrameEncoder {
    private final Blake3Digest digest = new Blake3Digest(256);

    /**
     * Builds an unplaced frame and writes its payload digest and eventHash into it.
     *
     * @param tags the tags' UTF-8 bytes (0 to 16 of them, each 1 to 256 bytes, validated by the caller)
     * @param payloadEncoding {@link FrameLayout#ENCODING_PLAIN}, or {@link FrameLayout#ENCODING_SEALED} when
     *        {@code payload} is an envelope sealed for a data subject
     * @param prevHash 32 bytes: the eventHash of the entity's previous event, zeros for its first
     * @param eventHashOut receives the 32-byte eventHash
     * @return the frame bytes, ready for {@link #place}
     */
    public byte[] encode(byte[] entity, byte[] scope, byte[][] tags, byte[] payload, int payloadEncoding, int kind,
                         int flags,
                         int payloadVersion, long entitySequence, long timestampMicros, EventId eventId,
                         EventId correlationId, EventId causationId, IdempotencyKey idempotencyKey, byte[] prevHash,
                         byte[] eventHashOut) {
        int tagBytes = tagBytes(tags);
        int size = frameSize(entity.length, scope.length, tagBytes, payload.length);
        byte[] frame = new byte[size];
        ByteBuffer b = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(LENGTH_OFFSET, size - PREFIX_LENGTH);
        b.putInt(BATCH_COUNT_OFFSET, 1);
        System.arraycopy(prevHash, 0, frame, PREV_HASH_OFFSET, 32);
        frame[FRAME_TYPE_OFFSET] = FRAME_TYPE_EVENT;
        frame[FLAGS_OFFSET] = (byte) flags;
        b.putShort(KIND_OFFSET, (short) kind);
        b.putShort(PAYLOAD_VERSION_OFFSET, (short) payloadVersion);
        b.putShort(ENTITY_LENGTH_OFFSET, (short) entity.length);
        b.putShort(SCOPE_LENGTH_OFFSET, (short) scope.length);
        frame[TAG_COUNT_OFFSET] = (byte) (tags == null ? 0 : tags.length);
        frame[PAYLOAD_ENCODING_OFFSET] = (byte) payloadEncoding;
        b.putInt(PAYLOAD_LENGTH_OFFSET, payload.length);
        b.putLong(ENTITY_SEQUENCE_OFFSET, entitySequence);
        b.putLong(TIMESTAMP_OFFSET, timestampMicros);
        b.putLong(EVENT_ID_OFFSET, eventId.msb());
        b.putLong(EVENT_ID_OFFSET + 8, eventId.lsb());
        b.putLong(CORRELATION_ID_OFFSET, correlationId.msb());
        b.putLong(CORRELATION_ID_OFFSET + 8, correlationId.lsb());
        if (causationId != null) {
            b.putLong(CAUSATION_ID_OFFSET, causationId.msb());
            b.putLong(CAUSATION_ID_OFFSET + 8, causationId.lsb());
        }
        if (idempotencyKey != null) {
            b.putLong(IDEMPOTENCY_KEY_OFFSET, idempotencyKey.msb());
            b.putLong(IDEMPOTENCY_KEY_OFFSET + 8, idempotencyKey.lsb());
        }
        int off = VARIABLE_OFFSET;
        System.arraycopy(entity, 0, frame, off, entity.length);
        off += entity.length;
        System.arraycopy(scope, 0, frame, off, scope.length);
        off += scope.length;
        if (tags != null) {
            for (byte[] tag : tags) {
                b.putShort(off, (short) tag.length);
                off += TAG_LENGTH_PREFIX;
                System.arraycopy(tag, 0, frame, off, tag.length);
                off += tag.length;
            }
        }
        int payloadAt = off;
        System.arraycopy(payload, 0, frame, payloadAt, payload.length);
        digest.update(payload, 0, payload.length);
        digest.doFinal(frame, PAYLOAD_DIGEST_OFFSET);
        hashInto(frame, 0, payloadAt, frame, EVENT_HASH_OFFSET);
        System.arraycopy(frame, EVENT_HASH_OFFSET, eventHashOut, 0, 32);
        return frame;
    }

    /** Bytes the tags take in a frame (each with its length prefix). */
    public static int tagBytes(byte[][] tags) {
        int n = 0;
        if (tags != null) {
            for (byte[] tag : tags) {
                n += TAG_LENGTH_PREFIX + tag.length;
            }
        }
        return n;
    }

    /**
     * Computes the eventHash of the frame at {@code frameOffset} of {@code src}, whose tags end (and payload starts)
     * at {@code payloadOffset} relative to the frame, into {@code out} at {@code outOffset}:
     * {@code BLAKE3(domain || bytes[96, payloadOffset) || payloadDigest)}.
     */
    public void hashInto(byte[] src, int frameOffset, int payloadOffset, byte[] out, int outOffset) {
        byte[] domain = FrameLayout.hashDomainRef();
        digest.update(domain, 0, domain.length);
        digest.update(src, frameOffset + HASHED_OFFSET, payloadOffset - HASHED_OFFSET);
        digest.update(src, frameOffset + PAYLOAD_DIGEST_OFFSET, 32);
        digest.doFinal(out, outOffset);
    }

    /**
     * Fills in the placement fields and the checksum of a frame copied into {@code target} at {@code offset}.
     * Called by the writer at commit.
     */
    public static void place(ByteBuffer target, int offset, int frameSize, long globalSequence, int batchCount,
                             int batchIndex, java.util.zip.CRC32C crc) {
        target.putLong(offset + GLOBAL_SEQUENCE_OFFSET, globalSequence);
        target.putInt(offset + BATCH_COUNT_OFFSET, batchCount);
        target.putInt(offset + BATCH_INDEX_OFFSET, batchIndex);
        crc.reset();
        ByteBuffer covered = target.duplicate();
        covered.limit(offset + frameSize).position(offset + PREFIX_LENGTH);
        crc.update(covered);
        target.putInt(offset + CRC_OFFSET, (int) crc.getValue());
    }
}
