package io.batpak.core;

import io.batpak.core.error.GateDeniedException;
import io.batpak.core.error.InvalidInputException;
import org.bouncycastle.crypto.digests.Blake3Digest;

/**
 * Payload of a {@link EventKind#SYSTEM_DENIAL} event: which gate denied which proposed append. Recorded on the
 * proposed append's entity when {@code batpak.gates.record-denials} is on; read it with
 * {@code storedEvent.payloadAs(GateDenial.class)}.
 *
 * @param gate the name of the gate that denied
 * @param code the denial code
 * @param message the denial message (cut to {@value #MAX_MESSAGE_LENGTH} characters)
 * @param proposedKind the raw 16-bit kind of the denied append
 * @param proposedPayloadVersion the payload version of the denied append
 * @param proposedPayloadLength the encoded payload length of the denied append
 * @param proposedPayloadHash BLAKE3-256 of the denied append's encoded payload (32 bytes)
 * @param batchItem the denied item's position in its atomic batch, -1 for a single append
 */
public record GateDenial(String gate, String code, String message, int proposedKind, int proposedPayloadVersion,
                         int proposedPayloadLength, byte[] proposedPayloadHash, int batchItem) {
    /** Longest message kept in the record. */
    public static final int MAX_MESSAGE_LENGTH = 1024;

    /** The record of {@code denial} of an append of {@code payload}. */
    public static GateDenial of(GateDeniedException denial, int payloadVersion, byte[] payload) {
        InvalidInputException.requireArgument(denial, "denial");
        InvalidInputException.requireArgument(payload, "payload");
        Blake3Digest digest = new Blake3Digest(256);
        digest.update(payload, 0, payload.length);
        byte[] hash = new byte[Hash.LENGTH];
        digest.doFinal(hash, 0);
        String message = denial.denialMessage();
        if (message.length() > MAX_MESSAGE_LENGTH) {
            message = message.substring(0, MAX_MESSAGE_LENGTH);
        }
        return new GateDenial(denial.gate(), denial.code(), message, denial.kind().raw(), payloadVersion,
                payload.length, hash, denial.batchItem());
    }
}
