package io.batpak.core;

import java.nio.file.Path;

/**
 * Where and why stored data failed an integrity check ({@code verify}, {@code verifyEntity},
 * {@code walkAncestors}).
 *
 * @param reason          what failed
 * @param file            the segment file holding the frame
 * @param offset          byte offset of the frame (or of the segment header) in {@code file}
 * @param eventId         id of the event in the frame, null when the frame could not be read far enough
 * @param globalSequence  global sequence stored in the frame when its checksum holds, else the one expected at this
 *                        place, -1 when unknown
 * @param entity          entity of the event, null when unknown
 * @param entitySequence  entity sequence stored in the frame, -1 when unknown
 * @param detail          a human-readable description naming the values that differ
 */
public record IntegrityBreak(Reason reason, Path file, long offset, EventId eventId, long globalSequence,
                             String entity, long entitySequence, String detail) {

    /** The kinds of integrity failure. */
    public enum Reason {
        /** A segment header is damaged, or a segment's name or first global sequence is not the expected one. */
        SEGMENT,
        /** A frame's length field is impossible or the frame runs past the verified end. */
        FRAME_LENGTH,
        /** A frame's CRC32C does not match its bytes. */
        CHECKSUM,
        /** A checksum-valid frame has an unknown type, a non-zero reserved field or inconsistent lengths. */
        MALFORMED,
        /** A frame's global sequence is not the previous one + 1 (a gap, a duplicate or a reordered frame). */
        GLOBAL_SEQUENCE,
        /** A frame's atomic-group position contradicts its neighbours. */
        ATOMIC_GROUP,
        /** A frame's entity sequence is not its entity's previous one + 1. */
        ENTITY_SEQUENCE,
        /** A frame's prevHash is not the eventHash of its entity's previous event (zeros for the first). */
        PREV_HASH,
        /**
         * The BLAKE3 recomputed over a frame's canonical header, tags and payload digest differs from its stored
         * eventHash.
         */
        EVENT_HASH,
        /** A present payload's BLAKE3 differs from the payload digest its frame stores (and its hash covers). */
        PAYLOAD_DIGEST,
        /** The in-memory index disagrees with the frame (location, length, id or entity). */
        INDEX_MISMATCH
    }

    @Override
    public String toString() {
        return reason + " at " + file + " offset " + offset + (eventId == null ? "" : " event " + eventId)
                + (globalSequence < 0 ? "" : " global " + globalSequence)
                + (entity == null ? "" : " entity \"" + entity + "\"" + (entitySequence < 0 ? "" : " #" + entitySequence))
                + ": " + detail;
    }
}
