package io.batpak.core.internal.crypto;

import io.batpak.core.IoFaultHook;
import io.batpak.core.error.CorruptStoreException;
import io.batpak.core.error.InvalidSubjectException;
import io.batpak.core.error.SubjectKeyStoreException;
import io.batpak.core.internal.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;
import org.bouncycastle.crypto.digests.Blake3Digest;

/**
 * The data subjects' keys, one small file per subject in a directory of their own (never in a segment, never in a
 * backup or an export). Keys are loaded at open and held in memory; a key is created durably on a subject's first
 * append and destroyed by {@link #forget}: its file is overwritten with zeros, forced and deleted, and the
 * directory forced, before the call returns.
 *
 * <p>Key file {@code <name>.key}, where {@code name} is the hex of the first 16 bytes of
 * {@code BLAKE3("batpak:subject:" || subject UTF-8)} (the subject's file is found without a listing; the name says
 * nothing about the key id in the envelopes). Integers little-endian:
 *
 * <pre>
 * offset size field
 *   0     4  magic          "BPSK"
 *   4     1  version        1
 *   5    16  keyId          random
 *  21    32  key            AES-256
 *  53     2  subjectLength  u16, 1..256
 *  55     n  subject        UTF-8
 *  55+n   4  crc32c         CRC32C of bytes [0, 55+n)
 * </pre>
 *
 * <p>A forget overwrites the whole file with zeros before deleting it; a file whose magic is zero is a key whose
 * destruction was interrupted, and is deleted (never loaded) at the next open.
 *
 * <p>A key file is created by writing and forcing a temporary file and hard-linking it to its name, which fails
 * when the name exists: two stores sharing the directory never replace each other's key. Thread-safe: lookups are
 * lock-free, creation and destruction are serialised.
 */
public final class SubjectKeyStore {
    private static final byte[] MAGIC = {'B', 'P', 'S', 'K'};
    private static final byte VERSION = 1;
    private static final int KEY_ID_OFFSET = 5;
    private static final int KEY_OFFSET = KEY_ID_OFFSET + SubjectKey.ID_LENGTH;
    private static final int SUBJECT_LENGTH_OFFSET = KEY_OFFSET + SubjectKey.KEY_LENGTH;
    private static final int SUBJECT_OFFSET = SUBJECT_LENGTH_OFFSET + 2;
    private static final int CRC_LENGTH = 4;
    private static final int NAME_HASH_BYTES = 16;
    private static final byte[] NAME_DOMAIN = "batpak:subject:".getBytes(StandardCharsets.US_ASCII);
    static final String SUFFIX = ".key";
    private static final String TEMPORARY_SUFFIX = ".key.tmp";

    private final Path dir;
    private final boolean readOnly;
    private final IoFaultHook hook;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, SubjectKey> bySubject = new ConcurrentHashMap<>();
    private final Map<KeyIdentity, SubjectKey> byId = new ConcurrentHashMap<>();
    private final ThreadLocal<PayloadEnvelope> envelopes = ThreadLocal.withInitial(PayloadEnvelope::new);

    private SubjectKeyStore(Path dir, boolean readOnly, IoFaultHook hook) {
        this.dir = dir;
        this.readOnly = readOnly;
        this.hook = hook;
    }

    /**
     * Loads every key of {@code dir} (which need not exist yet; it is created with the first key). A writable
     * store removes temporary files a crash left behind.
     *
     * @throws CorruptStoreException when a key file is damaged or does not belong to its name
     */
    public static SubjectKeyStore open(Path dir, boolean readOnly, IoFaultHook hook) {
        SubjectKeyStore s = new SubjectKeyStore(dir, readOnly, hook);
        if (!Files.isDirectory(dir)) {
            return s;
        }
        boolean destroyedAny = false;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.endsWith(TEMPORARY_SUFFIX)) {
                    if (!readOnly) {
                        Files.deleteIfExists(f);
                    }
                } else if (name.endsWith(SUFFIX)) {
                    byte[] bytes = Files.readAllBytes(f);
                    if (destroyed(bytes)) {
                        // A forget was interrupted after overwriting the key: finish it.
                        if (!readOnly) {
                            Files.delete(f);
                            destroyedAny = true;
                        }
                    } else {
                        s.remember(s.decode(f, bytes));
                    }
                }
            }
            if (destroyedAny) {
                DurableFiles.fsyncDirectory(dir, hook);
            }
        } catch (IOException e) {
            throw new SubjectKeyStoreException("cannot read the subject key directory " + dir + ": " + e.getMessage(), e);
        }
        return s;
    }

    /** The subject's key, or null when it has none (never had one, or it was forgotten). */
    public SubjectKey find(String subject) {
        return bySubject.get(subject);
    }

    /**
     * The subject's key, created and made durable first when it has none. Blocking file I/O on first use of a
     * subject.
     *
     * @throws InvalidSubjectException when {@code subject} is not a valid subject id
     * @throws SubjectKeyStoreException when the key file cannot be written (nothing is left behind)
     */
    public SubjectKey ensure(String subject) {
        SubjectKey k = bySubject.get(subject);
        if (k != null) {
            return k;
        }
        InvalidSubjectException.requireValid(subject);
        synchronized (this) {
            k = bySubject.get(subject);
            if (k != null) {
                return k;
            }
            if (readOnly) {
                throw new SubjectKeyStoreException("a read-only store creates no subject key", null);
            }
            byte[] id = new byte[SubjectKey.ID_LENGTH];
            byte[] key = new byte[SubjectKey.KEY_LENGTH];
            random.nextBytes(id);
            random.nextBytes(key);
            SubjectKey created = new SubjectKey(subject, id, key);
            Path target = fileOf(subject);
            Path tmp = dir.resolve(target.getFileName() + ".tmp");
            try {
                Files.createDirectories(dir);
                try (FileChannel ch = DurableFiles.createTemporary(tmp, hook)) {
                    DurableFiles.writeFully(ch, tmp.getFileName().toString(), encode(subject, id, key), 0, hook);
                    DurableFiles.force(ch, tmp.getFileName().toString(), hook);
                }
                hook.beforeRename(tmp.getFileName().toString(), target.getFileName().toString());
                try {
                    Files.createLink(target, tmp);
                } catch (FileAlreadyExistsException raced) {
                    // Another store sharing the directory created this subject's key first: use that one.
                    created = read(target);
                }
                Files.delete(tmp);
                DurableFiles.fsyncDirectory(dir, hook);
            } catch (IOException e) {
                DurableFiles.discard(tmp, e);
                throw new SubjectKeyStoreException("cannot create the key of a subject in " + dir + ": "
                        + e.getMessage(), e);
            }
            remember(created);
            return created;
        }
    }

    /**
     * Destroys the subject's key: from now on no payload sealed with it can be decrypted, by this store or by any
     * copy of its segments. Reads stop decrypting at once; the file is overwritten, forced, deleted and its
     * directory forced before this returns.
     *
     * @return whether the subject had a key
     * @throws SubjectKeyStoreException when the file cannot be destroyed (the key is then kept, as before)
     */
    public synchronized boolean forget(String subject) {
        InvalidSubjectException.requireValid(subject);
        if (readOnly) {
            throw new SubjectKeyStoreException("a read-only store destroys no subject key", null);
        }
        SubjectKey k = bySubject.remove(subject);
        Path f = fileOf(subject);
        if (k != null) {
            byId.remove(new KeyIdentity(k.keyIdRef()));
        }
        try {
            if (!Files.exists(f)) {
                return k != null;
            }
            String name = f.getFileName().toString();
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                DurableFiles.writeFully(ch, name, ByteBuffer.allocate((int) ch.size()), 0, hook);
                DurableFiles.force(ch, name, hook);
            }
            hook.beforeDelete(name);
            Files.delete(f);
            DurableFiles.fsyncDirectory(dir, hook);
            return true;
        } catch (NoSuchFileException gone) {
            return k != null;
        } catch (IOException e) {
            if (k != null && Files.exists(f)) {
                remember(k);
            }
            throw new SubjectKeyStoreException("cannot destroy the key of a subject in " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Decrypts an envelope on the calling thread.
     *
     * @return the plaintext, or null when its key is not in this store (forgotten, or never here)
     * @throws SealedPayloadException when the key is here but the envelope fails authentication
     */
    public byte[] unseal(byte[] envelope) {
        if (!PayloadEnvelope.wellFormed(envelope)) {
            throw new SealedPayloadException("sealed payload of " + envelope.length + " bytes is malformed");
        }
        SubjectKey k = byId.get(new KeyIdentity(envelope, PayloadEnvelope.KEY_ID_OFFSET));
        if (k == null) {
            return null;
        }
        byte[] plain = envelopes.get().open(k, envelope);
        if (plain == null) {
            throw new SealedPayloadException("sealed payload fails authentication");
        }
        return plain;
    }

    /**
     * A random key that no store holds: what a payload is sealed with when its subject was forgotten between the
     * key's lookup and the sealing, so it is as unreadable as the payloads sealed before the forget.
     */
    public static SubjectKey destroyed(String subject) {
        SecureRandom r = new SecureRandom();
        byte[] id = new byte[SubjectKey.ID_LENGTH];
        byte[] key = new byte[SubjectKey.KEY_LENGTH];
        r.nextBytes(id);
        r.nextBytes(key);
        return new SubjectKey(subject, id, key);
    }

    private void remember(SubjectKey k) {
        bySubject.put(k.subject(), k);
        byId.put(new KeyIdentity(k.keyIdRef()), k);
    }

    Path fileOf(String subject) {
        byte[] utf8 = subject.getBytes(StandardCharsets.UTF_8);
        Blake3Digest d = new Blake3Digest(256);
        d.update(NAME_DOMAIN, 0, NAME_DOMAIN.length);
        d.update(utf8, 0, utf8.length);
        byte[] h = new byte[32];
        d.doFinal(h, 0);
        return dir.resolve(HexFormat.of().formatHex(h, 0, NAME_HASH_BYTES) + SUFFIX);
    }

    private static ByteBuffer encode(String subject, byte[] id, byte[] key) {
        byte[] s = subject.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(SUBJECT_OFFSET + s.length + CRC_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put(VERSION).put(id).put(key).putShort((short) s.length).put(s);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.flip();
    }

    /** Whether a key file was overwritten by a forget (its magic is zero; the whole file is, unless torn). */
    private static boolean destroyed(byte[] bytes) {
        return bytes.length >= MAGIC.length && bytes[0] == 0 && bytes[1] == 0 && bytes[2] == 0 && bytes[3] == 0;
    }

    private SubjectKey read(Path f) throws IOException {
        return decode(f, Files.readAllBytes(f));
    }

    private SubjectKey decode(Path f, byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < SUBJECT_OFFSET + 1 + CRC_LENGTH || !java.util.Arrays.equals(bytes, 0, 4, MAGIC, 0, 4)) {
            throw new CorruptStoreException(f, 0, "not a subject key file");
        }
        if (bytes[4] != VERSION) {
            throw new CorruptStoreException(f, 4, "unknown subject key file version " + bytes[4]);
        }
        int n = b.getShort(SUBJECT_LENGTH_OFFSET) & 0xFFFF;
        if (SUBJECT_OFFSET + n + CRC_LENGTH != bytes.length) {
            throw new CorruptStoreException(f, SUBJECT_LENGTH_OFFSET, "subject length " + n
                    + " does not match the file length " + bytes.length);
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, SUBJECT_OFFSET + n);
        if ((int) crc.getValue() != b.getInt(SUBJECT_OFFSET + n)) {
            throw new CorruptStoreException(f, SUBJECT_OFFSET + n, "subject key file checksum mismatch");
        }
        String subject = new String(bytes, SUBJECT_OFFSET, n, StandardCharsets.UTF_8);
        if (!fileOf(subject).getFileName().equals(f.getFileName())) {
            throw new CorruptStoreException(f, SUBJECT_OFFSET, "key file does not belong to its name");
        }
        byte[] id = java.util.Arrays.copyOfRange(bytes, KEY_ID_OFFSET, KEY_OFFSET);
        byte[] key = java.util.Arrays.copyOfRange(bytes, KEY_OFFSET, SUBJECT_LENGTH_OFFSET);
        return new SubjectKey(subject, id, key);
    }

    /** A key id as a map key. */
    private record KeyIdentity(long msb, long lsb) {
        KeyIdentity(byte[] id) {
            this(id, 0);
        }

        KeyIdentity(byte[] b, int offset) {
            this(ByteBuffer.wrap(b, offset, 16).getLong(), ByteBuffer.wrap(b, offset + 8, 8).getLong());
        }
    }
}
