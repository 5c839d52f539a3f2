package io.batpak.streams;

import io.batpak.core.EventId;
import io.batpak.core.IdempotencyKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Idempotency keys of reactions: the first 16 bytes of SHA-256 over
 * {@code "batpak.reaction.v1" 0x00 reactorId(UTF-8) 0x00 sourceEventId(16 bytes, big-endian msb, lsb)
 * reactionIndex(4 bytes, big-endian)}. Stable across versions and processes: changing it would make a restarted
 * reactor store its reactions again.
 */
final class ReactorKeys {
    private static final byte[] DOMAIN = "batpak.reaction.v1".getBytes(StandardCharsets.US_ASCII);

    private ReactorKeys() {
    }

    static IdempotencyKey of(String reactorId, EventId source, int reactionIndex) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
        sha.update(DOMAIN);
        sha.update((byte) 0);
        sha.update(reactorId.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(ByteBuffer.allocate(20).putLong(source.msb()).putLong(source.lsb()).putInt(reactionIndex).array());
        ByteBuffer digest = ByteBuffer.wrap(sha.digest());
        return IdempotencyKey.of(digest.getLong(), digest.getLong());
    }
}
