package io.batpak.core.internal.crypto;

import java.util.Arrays;
import javax.crypto.spec.SecretKeySpec;

/**
 * One data subject's AES-256 key. {@code keyId} is random (not derived from the subject), so once the key file is
 * destroyed nothing in a segment links its events to the subject. Immutable; the key bytes are never exposed.
 */
public final class SubjectKey {
    /** Bytes of a key id. */
    public static final int ID_LENGTH = 16;
    /** Bytes of an AES-256 key. */
    public static final int KEY_LENGTH = 32;

    private final String subject;
    private final byte[] keyId;
    private final SecretKeySpec key;

    SubjectKey(String subject, byte[] keyId, byte[] keyBytes) {
        this.subject = subject;
        this.keyId = keyId.clone();
        this.key = new SecretKeySpec(keyBytes, "AES");
    }

    public String subject() {
        return subject;
    }

    byte[] keyIdRef() {
        return keyId;
    }

    SecretKeySpec secret() {
        return key;
    }

    boolean hasId(byte[] id, int offset) {
        return Arrays.equals(keyId, 0, ID_LENGTH, id, offset, offset + ID_LENGTH);
    }
}
