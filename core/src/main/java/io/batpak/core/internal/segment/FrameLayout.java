package io.batpak.core.internal.segment;

/**
 * Byte layout of one event frame in a segment file (format version 2). All integers little-endian; a 128-bit id is
 * stored as its most significant 64 bits followed by its least significant 64 bits, each a little-endian u64.
 *
 * <pre>
 * offset size field
 *   0     4  frameLength      u32, bytes after this 8-byte prefix
 *   4     4  crc32c           u32, CRC32C (Castagnoli) of bytes [8, 8 + frameLength)
 *   8     8  globalSequence   u64, commit order in the store, gap-free from 0        (placement, not hashed)
 *  16     4  batchCount       u32, frames in this atomic group (1 for a single append) (placement, not hashed)
 *  20     4  batchIndex       u32, 0-based position of this frame in its group         (placement, not hashed)
 *  24     1  payloadState     0 = present, 1 = redacted (payload bytes removed)         (not hashed)
 *  25     7  reserved         0                                                         (not hashed)
 *  32    32  eventHash        BLAKE3-256, see below                                     (the output)
 *  64    32  payloadDigest    BLAKE3-256 of the payload bytes as appended               (hashed, last)
 *  96    32  prevHash         eventHash of the entity's previous event, zeros for its first -- canonical header
 * 128     1  frameType        1 = event (2 = a removal frame left by compaction, see {@link RemovalFrame})
 * 129     1  flags            user flags
 * 130     2  kind             u16, category &lt;&lt; 12 | type
 * 132     2  payloadVersion   u16
 * 134     2  entityLength     u16, 1..1024
 * 136     2  scopeLength      u16, 1..1024
 * 138     1  tagCount         u8, 0..16
 * 139     1  payloadEncoding  0 = plain, 1 = sealed for a data subject (an AES-256-GCM envelope, see below)
 * 140     4  payloadLength    u32, length of the payload as appended (kept when the payload is redacted)
 * 144     8  entitySequence   u64, per entity, gap-free from 0
 * 152     8  timestampMicros  i64, microseconds since the Unix epoch
 * 160    16  eventId          UUIDv7
 * 176    16  correlationId
 * 192    16  causationId      all zero = none
 * 208    16  idempotencyKey   all zero = none
 * 224     .  entity UTF-8, scope UTF-8, tagCount tags (each a u16 length 1..256 then its UTF-8 bytes),
 *            payload bytes (payloadLength of them when present, none when redacted)
 * </pre>
 *
 * <p>{@code eventHash = BLAKE3(HASH_DOMAIN || bytes[96, end of tags) || payloadDigest)}: the prevHash link, every
 * header field except placement and payload state, the names and the tags, then the payload's digest. A reordered,
 * re-kinded, re-tagged or re-parented event breaks the chain; a rebuild never renumbers because the global sequence
 * is stored. Because the payload enters only through its digest, a payload can be <em>redacted</em>: its bytes are
 * removed, {@code payloadState} becomes 1 and the frame shrinks by {@code payloadLength}, while its digest, its
 * eventHash and every other frame stay byte for byte the same, so the chain still verifies.
 *
 * <p>A payload appended for a data subject is stored <em>sealed</em>: {@code payloadEncoding} is 1 and the payload
 * bytes are an envelope ({@link io.batpak.core.internal.crypto.PayloadEnvelope}: version, the subject key's random
 * id, nonce, AES-256-GCM ciphertext and tag). {@code payloadLength} and {@code payloadDigest} are those of the
 * envelope, so the chain covers the ciphertext and still verifies once the subject's key is destroyed.
 */
public final class FrameLayout {
    public static final int LENGTH_OFFSET = 0;
    public static final int CRC_OFFSET = 4;
    /** Bytes before the CRC-covered region. */
    public static final int PREFIX_LENGTH = 8;
    public static final int GLOBAL_SEQUENCE_OFFSET = 8;
    public static final int BATCH_COUNT_OFFSET = 16;
    public static final int BATCH_INDEX_OFFSET = 20;
    public static final int PAYLOAD_STATE_OFFSET = 24;
    public static final int STATE_RESERVED_OFFSET = 25;
    public static final int STATE_RESERVED_LENGTH = 7;
    public static final int EVENT_HASH_OFFSET = 32;
    public static final int PAYLOAD_DIGEST_OFFSET = 64;
    public static final int PREV_HASH_OFFSET = 96;
    /** Start of the canonical header (prevHash onwards), hashed up to the end of the tags. */
    public static final int HASHED_OFFSET = PREV_HASH_OFFSET;
    public static final int FRAME_TYPE_OFFSET = 128;
    public static final int FLAGS_OFFSET = 129;
    public static final int KIND_OFFSET = 130;
    public static final int PAYLOAD_VERSION_OFFSET = 132;
    public static final int ENTITY_LENGTH_OFFSET = 134;
    public static final int SCOPE_LENGTH_OFFSET = 136;
    public static final int TAG_COUNT_OFFSET = 138;
    public static final int PAYLOAD_ENCODING_OFFSET = 139;
    public static final int PAYLOAD_LENGTH_OFFSET = 140;
    public static final int ENTITY_SEQUENCE_OFFSET = 144;
    public static final int TIMESTAMP_OFFSET = 152;
    public static final int EVENT_ID_OFFSET = 160;
    public static final int CORRELATION_ID_OFFSET = 176;
    public static final int CAUSATION_ID_OFFSET = 192;
    public static final int IDEMPOTENCY_KEY_OFFSET = 208;
    /** Start of the variable part (entity, scope, tags, payload). */
    public static final int VARIABLE_OFFSET = 224;
    /** frameLength of a frame with empty names, no tags and no payload. */
    public static final int MIN_FRAME_LENGTH = VARIABLE_OFFSET - PREFIX_LENGTH;
    /** Bytes before each tag's UTF-8 bytes (its u16 length). */
    public static final int TAG_LENGTH_PREFIX = 2;

    public static final byte FRAME_TYPE_EVENT = 1;
    /** A run of events removed by compaction, see {@link RemovalFrame}. */
    public static final byte FRAME_TYPE_REMOVAL = 2;
    public static final byte PAYLOAD_PRESENT = 0;
    public static final byte PAYLOAD_REDACTED = 1;
    public static final byte ENCODING_PLAIN = 0;
    public static final byte ENCODING_SEALED = 1;

    /**
     * Prefix of every eventHash input: it separates the chain hash from any other BLAKE3 use (payload digests,
     * checkpoints) and from format version 1, whose hashes had no prefix.
     */
    private static final byte[] HASH_DOMAIN = "batpak:event:v2".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private FrameLayout() {
    }

    static byte[] hashDomainRef() {
        return HASH_DOMAIN;
    }

    /** Total bytes of a frame with its payload present, prefix included. */
    public static int frameSize(int entityLength, int scopeLength, int tagBytes, int payloadLength) {
        return VARIABLE_OFFSET + entityLength + scopeLength + tagBytes + payloadLength;
    }
}
