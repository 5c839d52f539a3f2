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
     * Builds an unplaced frame and writes its eventHash into it.
     *
     * @param prevHash 32 bytes: the eventHash of the entity's previous event, zeros for its first
     * @param eventHashOut receives the 32-byte eventHash
     * @return the frame bytes, ready for {@link #place}
     */
    public byte[] encode(byte[] entity, byte[] scope, byte[] payload, int kind, int flags, int payloadVersion,
                         long entitySequence, long timestampMicros, EventId eventId, EventId correlationId,
                         EventId causationId, IdempotencyKey idempotencyKey, byte[] prevHash, byte[] eventHashOut) {
        int size = frameSize(entity.length, scope.length, payload.length);
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
        System.arraycopy(payload, 0, frame, off, payload.length);
        hashInto(frame, 0, size, frame, EVENT_HASH_OFFSET);
        System.arraycopy(frame, EVENT_HASH_OFFSET, eventHashOut, 0, 32);
        return frame;
    }

    /**
     * Computes BLAKE3 over the hashed region [56, size) of the frame at {@code frameOffset} of {@code src}
     * into {@code out} at {@code outOffset}.
     */
    public void hashInto(byte[] src, int frameOffset, int frameSize, byte[] out, int outOffset) {
        digest.update(src, frameOffset + HASHED_OFFSET, frameSize - HASHED_OFFSET);
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
