package io.batpak.core.internal.segment;

/**
 * Byte layout of one event frame in a segment file. All integers little-endian; a 128-bit id is stored as its
 * most significant 64 bits followed by its least significant 64 bits, each a little-endian u64.
 *
 * <pre>
 * offset size field
 *   0     4  frameLength      u32, bytes after this 8-byte prefix (= 176 + entity + scope + payload)
 *   4     4  crc32c           u32, CRC32C (Castagnoli) of bytes [8, 8 + frameLength)
 *   8     8  globalSequence   u64, commit order in the store, gap-free from 0        (placement, not hashed)
 *  16     4  batchCount       u32, frames in this atomic group (1 for a single append) (placement, not hashed)
 *  20     4  batchIndex       u32, 0-based position of this frame in its group         (placement, not hashed)
 *  24    32  eventHash        BLAKE3-256 of bytes [56, end of frame)                   (not hashed: the output)
 *  56    32  prevHash         eventHash of the entity's previous event, zeros for its first   -- hashed from here
 *  88     1  frameType        1 = event
 *  89     1  flags            user flags
 *  90     2  kind             u16, category &lt;&lt; 12 | type
 *  92     2  payloadVersion   u16
 *  94     2  entityLength     u16, 1..1024
 *  96     2  scopeLength      u16, 1..1024
 *  98     2  reserved         0
 * 100     4  payloadLength    u32
 * 104     8  entitySequence   u64, per entity, gap-free from 0
 * 112     8  timestampMicros  i64, microseconds since the Unix epoch
 * 120    16  eventId          UUIDv7
 * 136    16  correlationId
 * 152    16  causationId      all zero = none
 * 168    16  idempotencyKey   all zero = none
 * 184     .  entity UTF-8, scope UTF-8, payload bytes
 * </pre>
 *
 * So {@code eventHash = BLAKE3(prevHash || bytes[88, 184) || entity || scope || payload)}: every header field
 * except the placement fields (global sequence, batch position) is covered, so a reordered, re-kinded or
 * re-parented event breaks the chain; a rebuild never renumbers because the global sequence is stored.
 */
public final class FrameLayout {
    public static final int LENGTH_OFFSET = 0;
    public static final int CRC_OFFSET = 4;
    /** Bytes before the CRC-covered region. */
    public static final int PREFIX_LENGTH = 8;
    public static final int GLOBAL_SEQUENCE_OFFSET = 8;
    public static final int BATCH_COUNT_OFFSET = 16;
    public static final int BATCH_INDEX_OFFSET = 20;
    public static final int EVENT_HASH_OFFSET = 24;
    public static final int PREV_HASH_OFFSET = 56;
    /** Start of the hashed region (prevHash onwards, to the end of the frame). */
    public static final int HASHED_OFFSET = PREV_HASH_OFFSET;
    public static final int FRAME_TYPE_OFFSET = 88;
    public static final int FLAGS_OFFSET = 89;
    public static final int KIND_OFFSET = 90;
    public static final int PAYLOAD_VERSION_OFFSET = 92;
    public static final int ENTITY_LENGTH_OFFSET = 94;
    public static final int SCOPE_LENGTH_OFFSET = 96;
    public static final int RESERVED_OFFSET = 98;
    public static final int PAYLOAD_LENGTH_OFFSET = 100;
    public static final int ENTITY_SEQUENCE_OFFSET = 104;
    public static final int TIMESTAMP_OFFSET = 112;
    public static final int EVENT_ID_OFFSET = 120;
    public static final int CORRELATION_ID_OFFSET = 136;
    public static final int CAUSATION_ID_OFFSET = 152;
    public static final int IDEMPOTENCY_KEY_OFFSET = 168;
    /** Start of the variable part (entity, scope, payload). */
    public static final int VARIABLE_OFFSET = 184;
    /** frameLength of a frame with empty names and payload. */
    public static final int MIN_FRAME_LENGTH = VARIABLE_OFFSET - PREFIX_LENGTH;

    public static final byte FRAME_TYPE_EVENT = 1;

    private FrameLayout() {
    }

    /** Total bytes of a frame, prefix included. */
    public static int frameSize(int entityLength, int scopeLength, int payloadLength) {
        return VARIABLE_OFFSET + entityLength + scopeLength + payloadLength;
    }
}
