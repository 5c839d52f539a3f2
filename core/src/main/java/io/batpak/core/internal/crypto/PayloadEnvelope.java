package io.batpak.core.internal.crypto;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * The stored form of a payload encrypted for a data subject (frame payload encoding 1, see FORMAT.md). The frame's
 * payload digest, and so the hash chain, covers these bytes: the ciphertext, not the plaintext.
 *
 * <pre>
 * offset size field
 *   0     1  version     1 = AES-256-GCM, 128-bit tag
 *   1    16  keyId       the subject key's random id
 *  17    12  nonce       random, never reused with a key (96 random bits: safe far beyond 2^32 events per subject)
 *  29     n  ciphertext  as long as the plaintext
 *  29+n  16  tag         GCM authentication tag; bytes [0, 29) are its additional authenticated data
 * </pre>
 *
 * <p>One instance holds a {@link Cipher} and a {@link SecureRandom}: not thread-safe, one per thread or actor.
 */
public final class PayloadEnvelope {
    public static final byte VERSION_AES_256_GCM = 1;
    public static final int KEY_ID_OFFSET = 1;
    public static final int NONCE_OFFSET = KEY_ID_OFFSET + SubjectKey.ID_LENGTH;
    public static final int NONCE_LENGTH = 12;
    public static final int HEADER_LENGTH = NONCE_OFFSET + NONCE_LENGTH;
    public static final int TAG_LENGTH = 16;
    /** Bytes an envelope adds to its plaintext. */
    public static final int OVERHEAD = HEADER_LENGTH + TAG_LENGTH;

    private final Cipher cipher;
    private final SecureRandom random;

    public PayloadEnvelope() {
        this(new SecureRandom());
    }

    PayloadEnvelope(SecureRandom random) {
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK provides no AES/GCM/NoPadding", e);
        }
        this.random = random;
    }

    /** Encrypts {@code plaintext} with {@code key} into a new envelope. */
    public byte[] seal(SubjectKey key, byte[] plaintext) {
        byte[] out = new byte[OVERHEAD + plaintext.length];
        out[0] = VERSION_AES_256_GCM;
        System.arraycopy(key.keyIdRef(), 0, out, KEY_ID_OFFSET, SubjectKey.ID_LENGTH);
        byte[] nonce = new byte[NONCE_LENGTH];
        random.nextBytes(nonce);
        System.arraycopy(nonce, 0, out, NONCE_OFFSET, NONCE_LENGTH);
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key.secret(), new GCMParameterSpec(TAG_LENGTH * 8, nonce));
            cipher.updateAAD(out, 0, HEADER_LENGTH);
            cipher.doFinal(plaintext, 0, plaintext.length, out, HEADER_LENGTH);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
        return out;
    }

    /**
     * Decrypts an envelope with {@code key}, which must be the key its id names.
     *
     * @return the plaintext, or null when the envelope is malformed or fails authentication (tampered)
     */
    public byte[] open(SubjectKey key, byte[] envelope) {
        if (!wellFormed(envelope) || !key.hasId(envelope, KEY_ID_OFFSET)) {
            return null;
        }
        try {
            cipher.init(Cipher.DECRYPT_MODE, key.secret(),
                    new GCMParameterSpec(TAG_LENGTH * 8, envelope, NONCE_OFFSET, NONCE_LENGTH));
            cipher.updateAAD(envelope, 0, HEADER_LENGTH);
            return cipher.doFinal(envelope, HEADER_LENGTH, envelope.length - HEADER_LENGTH);
        } catch (GeneralSecurityException e) {
            return null;
        }
    }

    /** Whether {@code envelope} has this layout's version and room for its header and tag. */
    public static boolean wellFormed(byte[] envelope) {
        return envelope.length >= OVERHEAD && envelope[0] == VERSION_AES_256_GCM;
    }
}
