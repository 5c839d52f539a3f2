package io.batpak.core;

import io.batpak.core.error.InvalidInputException;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * An Ed25519 private key that signs append receipts (RFC 8032, made from a 32-byte seed). Configure it with
 * {@link StoreConfig.Builder#signingKeys}. Signatures are deterministic: the same receipt signed twice with the same
 * key gives the same signature bytes. Immutable and thread-safe; {@link #toString()} never shows the seed.
 */
public final class SigningKey {
    /** Length of the seed in bytes. */
    public static final int SEED_LENGTH = 32;

    private final Ed25519PrivateKeyParameters params;
    private final VerifyingKey publicKey;

    private SigningKey(Ed25519PrivateKeyParameters params) {
        this.params = params;
        this.publicKey = VerifyingKey.of(params.generatePublicKey().getEncoded());
    }

    /**
     * The key derived from a 32-byte seed (the RFC 8032 private key). The seed is copied; keep it secret.
     *
     * @throws InvalidInputException when the seed is not 32 bytes long
     */
    public static SigningKey fromSeed(byte[] seed) {
        InvalidInputException.requireArgument(seed, "seed");
        if (seed.length != SEED_LENGTH) {
            throw new InvalidInputException("seed", "invalid argument seed: an Ed25519 seed is " + SEED_LENGTH
                    + " bytes, was " + seed.length);
        }
        return new SigningKey(new Ed25519PrivateKeyParameters(seed, 0));
    }

    /** A new random key (from a {@link java.security.SecureRandom} seed). */
    public static SigningKey generate() {
        return new SigningKey(new Ed25519PrivateKeyParameters(new java.security.SecureRandom()));
    }

    /** The public half, which verifies this key's signatures. */
    public VerifyingKey publicKey() {
        return publicKey;
    }

    public KeyId keyId() {
        return publicKey.keyId();
    }

    /** The Ed25519 signature (64 bytes) of {@code message}. */
    public byte[] sign(byte[] message) {
        InvalidInputException.requireArgument(message, "message");
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, params);
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    @Override
    public String toString() {
        return "SigningKey[" + keyId() + "]";
    }
}
