package io.batpak.core.internal.cursor;

import io.batpak.core.CursorCheckpointInfo;
import io.batpak.core.IoFaultHook;
import io.batpak.core.error.CheckpointInUseException;
import io.batpak.core.error.CheckpointIoException;
import io.batpak.core.error.CheckpointRegionMismatchException;
import io.batpak.core.error.CorruptCheckpointException;
import io.batpak.core.error.InvalidCheckpointIdException;
import io.batpak.core.error.InvalidInputException;
import io.batpak.core.error.UnsupportedFormatException;
import io.batpak.core.internal.DurableFiles;
import io.batpak.core.internal.HeldPaths;
import io.batpak.core.internal.MonotonicClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32C;

/**
 * Durable cursor positions: {@code <dataDir>/cursors/<id>.ckpt} holds the global sequence of the last event a
 * cursor processed, bound to the identity ({@code Region.identity()}) of the region the cursor reads, so a restarted
 * cursor resumes right after it and a checkpoint is never reused for another region. Little-endian:
 *
 * <pre>
 * offset size field
 *   0     4  magic            ASCII "BPKC"
 *   4     2  formatVersion    u16, 1
 *   6     2  flags            u16, 0 (reserved, must be 0)
 *   8     8  position         i64, global sequence of the last processed event, -1 = none yet
 *  16     8  savedAtMicros    i64, wall clock microseconds since the epoch (informational, never checked)
 *  24     4  identityLength   u32, N, 1..4096
 *  28     N  identity         UTF-8 region identity
 *  28+N   4  crc32c           CRC32C of bytes [0, 28+N)
 * </pre>
 *
 * The file is exactly {@code 32 + N} bytes. A save writes {@code <id>.ckpt.tmp}, forces it, renames it over
 * {@code <id>.ckpt} and forces the directory, so a crash at any point leaves the old or the new checkpoint, never a
 * torn one; a leftover {@code .tmp} is never read and is replaced by the next save.
 *
 * <p>Loading fails closed: a damaged file is a {@link CorruptCheckpointException}, never "no checkpoint", because
 * restarting from the beginning would reprocess every event and skipping ahead would lose some.
 *
 * <p><b>Ids.</b> 1..128 characters of {@code [A-Za-z0-9._-]}, not starting with {@code .}; so an id is always one
 * plain file name inside {@code cursors/}. On a case-insensitive file system ids differing only in case share a
 * file.
 *
 * <p><b>Thread-safety.</b> Thread-safe. Saves and deletes of one checkpoint file are serialized within this JVM
 * (across instances) so concurrent saves cannot interleave in the shared temporary file; the last save to finish
 * wins. Nothing guards against another process writing the same directory. Use {@link #claim(String)} to keep two
 * cursors of this JVM from advancing the same checkpoint.
 */
public final class CheckpointStore {
    /** Subdirectory of the data directory holding the checkpoints. */
    public static final String DIRECTORY_NAME = "cursors";
    /** File name suffix of a checkpoint: {@code <id>.ckpt}. */
    public static final String SUFFIX = ".ckpt";
    /** Longest valid id, in characters. */
    public static final int MAX_ID_LENGTH = 128;
    /** Longest region identity, in UTF-8 bytes. */
    public static final int MAX_IDENTITY_BYTES = 4096;

    private static final String TEMP_SUFFIX = ".ckpt.tmp";

    private static final byte[] MAGIC = "BPKC".getBytes(StandardCharsets.US_ASCII);
    private static final int FORMAT_VERSION = 1;
    private static final int FIXED_LENGTH = 28;
    private static final int CRC_LENGTH = 4;
    private static final int MAX_FILE_LENGTH = FIXED_LENGTH + MAX_IDENTITY_BYTES + CRC_LENGTH;

    /** Checkpoint files (absolute, normalized) claimed by an open cursor in this JVM. */
    private static final HeldPaths CLAIMED = new HeldPaths();

    /** Striped locks serializing writers of one file; striping keeps the set of lock objects bounded. */
    private static final Object[] WRITE_LOCKS = new Object[64];

    static {
        for (int i = 0; i < WRITE_LOCKS.length; i++) {
            WRITE_LOCKS[i] = new Object();
        }
    }

    private final Path dataDir;
    private final Path directory;

    /** Checkpoints of the store in {@code dataDir}; touches no file (the directory is created on the first save). */
    public CheckpointStore(Path dataDir) {
        this.dataDir = InvalidInputException.requireArgument(dataDir, "dataDir");
        this.directory = dataDir.resolve(DIRECTORY_NAME);
    }

    /**
     * Checks a checkpoint id.
     *
     * @return {@code id}
     * @throws InvalidCheckpointIdException when it is null or breaks the rule, naming the rule
     */
    public static String validateId(String id) {
        String broken = brokenRule(id);
        if (broken != null) {
            throw new InvalidCheckpointIdException(id, broken);
        }
        return id;
    }

    private static String brokenRule(String id) {
        if (id == null) {
            return "must not be null";
        }
        if (id.isEmpty()) {
            return "must not be empty";
        }
        if (id.length() > MAX_ID_LENGTH) {
            return "must be at most " + MAX_ID_LENGTH + " characters (has " + id.length() + ")";
        }
        if (id.charAt(0) == '.') {
            return "must not start with '.'";
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!ok) {
                return "character " + String.format("U+%04X", (int) c) + " at index " + i
                        + " is not one of [A-Za-z0-9._-]";
            }
        }
        return null;
    }

    /**
     * The file of checkpoint {@code id} (it may not exist).
     *
     * @throws InvalidCheckpointIdException for an invalid id
     */
    public Path path(String id) {
        return directory.resolve(validateId(id) + SUFFIX);
    }

    /**
     * The saved position of checkpoint {@code id}.
     *
     * @param regionIdentity the identity of the region the loading cursor reads; must equal the saved one
     * @return the global sequence of the last processed event ({@code -1} if none was), or empty when there is no
     *     checkpoint file
     * @throws CorruptCheckpointException when the file exists but is damaged in any way
     * @throws UnsupportedFormatException when the file was written by a newer format version
     * @throws CheckpointRegionMismatchException when it was saved for another region
     * @throws CheckpointIoException when the file cannot be read
     * @throws InvalidCheckpointIdException for an invalid id
     */
    public OptionalLong load(String id, String regionIdentity) {
        Path file = path(id);
        InvalidInputException.requireArgument(regionIdentity, "regionIdentity");
        Decoded d = read(file);
        if (d == null) {
            return OptionalLong.empty();
        }
        if (!d.identity.equals(regionIdentity)) {
            throw new CheckpointRegionMismatchException(file, d.identity, regionIdentity);
        }
        return OptionalLong.of(d.position);
    }

    /**
     * What checkpoint {@code id} holds, for inspection: its position, region identity and save time, or the reason
     * it cannot be used ({@link CursorCheckpointInfo#problem()}). Empty when it does not exist.
     *
     * @throws CheckpointIoException when the file cannot be read
     * @throws InvalidCheckpointIdException for an invalid id
     */
    public java.util.Optional<CursorCheckpointInfo> inspect(String id) {
        Path file = path(id);
        Decoded d;
        try {
            d = read(file);
        } catch (CorruptCheckpointException | UnsupportedFormatException e) {
            return java.util.Optional.of(new CursorCheckpointInfo(id, -1, null, null, e.getMessage()));
        }
        return d == null ? java.util.Optional.empty() : java.util.Optional.of(new CursorCheckpointInfo(id, d.position,
                java.time.Instant.EPOCH.plus(d.savedAtMicros, java.time.temporal.ChronoUnit.MICROS), d.identity, null));
    }

    /** The decoded file, or null when it does not exist. */
    private static Decoded read(Path file) {
        byte[] bytes;
        long size;
        // Opening directly (no exists() first) so a concurrent delete reads as "absent", not as an I/O error.
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            size = ch.size();
            // Bounded read: a huge file must not cost memory; the first bytes still tell newer versions apart.
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(size, MAX_FILE_LENGTH));
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // keep reading; a file that shrank meanwhile is caught as short below
            }
            if (buf.hasRemaining()) {
                size = buf.position(); // shrank while being read: judge what is there
            }
            bytes = new byte[buf.position()];
            buf.flip().get(bytes);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new CheckpointIoException(file, e);
        }
        return decode(file, bytes, size);
    }

    private static final class Decoded {
        final long position;
        final long savedAtMicros;
        final String identity;

        Decoded(long position, long savedAtMicros, String identity) {
            this.position = position;
            this.savedAtMicros = savedAtMicros;
            this.identity = identity;
        }
    }

    private static Decoded decode(Path file, byte[] bytes, long size) {
        if (bytes.length < 8) {
            throw new CorruptCheckpointException(file, "file is " + bytes.length + " bytes, shorter than its header");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                throw new CorruptCheckpointException(file, "bad magic (expected \"BPKC\")");
            }
        }
        // Version before length and checksum: a newer format may lay out the rest differently.
        int version = b.getShort(4) & 0xFFFF;
        if (version > FORMAT_VERSION) {
            throw new UnsupportedFormatException(file, version, FORMAT_VERSION);
        }
        if (version != FORMAT_VERSION) {
            throw new CorruptCheckpointException(file, "format version " + version + " does not exist");
        }
        if (size < FIXED_LENGTH + CRC_LENGTH) {
            throw new CorruptCheckpointException(file, "file is " + size + " bytes, shorter than the minimum "
                    + (FIXED_LENGTH + CRC_LENGTH + 1));
        }
        long identityLength = b.getInt(24) & 0xFFFF_FFFFL;
        if (identityLength < 1 || identityLength > MAX_IDENTITY_BYTES) {
            throw new CorruptCheckpointException(file, "region identity length " + identityLength
                    + " is outside 1.." + MAX_IDENTITY_BYTES);
        }
        long expected = FIXED_LENGTH + identityLength + CRC_LENGTH;
        if (size != expected) {
            throw new CorruptCheckpointException(file, "file is " + size + " bytes, expected " + expected
                    + (size < expected ? " (truncated)" : " (trailing bytes)"));
        }
        int n = (int) identityLength;
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, FIXED_LENGTH + n);
        if ((int) crc.getValue() != b.getInt(FIXED_LENGTH + n)) {
            throw new CorruptCheckpointException(file, "checksum mismatch");
        }
        int flags = b.getShort(6) & 0xFFFF;
        if (flags != 0) {
            throw new CorruptCheckpointException(file, "reserved flags are " + flags + ", must be 0");
        }
        long position = b.getLong(8);
        if (position < -1) {
            throw new CorruptCheckpointException(file, "position " + position + " is below -1");
        }
        String identity;
        try {
            identity = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, FIXED_LENGTH, n))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new CorruptCheckpointException(file, "region identity is not valid UTF-8");
        }
        return new Decoded(position, b.getLong(16), identity);
    }

    /**
     * Saves checkpoint {@code id} atomically and durably: when this returns, a crash or power loss leaves this
     * position; when it throws, the previous checkpoint (or none) is left in place.
     *
     * @param regionIdentity identity of the region the cursor reads: 1..4096 bytes of UTF-8
     * @param position global sequence of the last processed event, {@code -1} for none
     * @throws InvalidInputException when {@code position < -1} or the identity is empty, longer than 4096 UTF-8
     *     bytes or not valid UTF-16 (an unpaired surrogate)
     * @throws CheckpointIoException when the file cannot be written
     * @throws InvalidCheckpointIdException for an invalid id
     */
    public void save(String id, String regionIdentity, long position) {
        Path file = path(id);
        if (position < -1) {
            throw new InvalidInputException("position", "invalid argument position: a checkpoint position must be"
                    + " >= -1, was " + position);
        }
        byte[] identity = encodeIdentity(regionIdentity);
        byte[] bytes = encode(identity, position, MonotonicClock.wallMicros());
        Path tmp = directory.resolve(id + TEMP_SUFFIX);
        synchronized (writeLock(file)) {
            try {
                ensureDirectory();
                DurableFiles.replaceWith(tmp, file, ByteBuffer.wrap(bytes), IoFaultHook.NONE);
            } catch (IOException e) {
                throw new CheckpointIoException(file, e);
            }
        }
    }

    private static byte[] encodeIdentity(String regionIdentity) {
        InvalidInputException.requireArgument(regionIdentity, "regionIdentity");
        if (regionIdentity.isEmpty()) {
            throw new InvalidInputException("regionIdentity", "invalid argument regionIdentity: must not be empty");
        }
        ByteBuffer encoded;
        try {
            // Strict: String.getBytes would write '?' for an unpaired surrogate and the checkpoint would never match.
            encoded = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(regionIdentity));
        } catch (CharacterCodingException e) {
            throw new InvalidInputException("regionIdentity",
                    "invalid argument regionIdentity: not valid UTF-16 (unpaired surrogate)", e);
        }
        if (encoded.remaining() > MAX_IDENTITY_BYTES) {
            throw new InvalidInputException("regionIdentity", "invalid argument regionIdentity: " + encoded.remaining()
                    + " UTF-8 bytes, at most " + MAX_IDENTITY_BYTES + " are allowed");
        }
        byte[] out = new byte[encoded.remaining()];
        encoded.get(out);
        return out;
    }

    private static byte[] encode(byte[] identity, long position, long savedAtMicros) {
        int n = identity.length;
        ByteBuffer b = ByteBuffer.allocate(FIXED_LENGTH + n + CRC_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putShort((short) FORMAT_VERSION).putShort((short) 0).putLong(position).putLong(savedAtMicros)
                .putInt(n).put(identity);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, FIXED_LENGTH + n);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    private void ensureDirectory() throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        Files.createDirectories(directory);
        // The new directory's entry must be durable too, or a crash could lose the checkpoint with it.
        fsyncDirectory(dataDir);
    }

    private static void fsyncDirectory(Path dir) throws IOException {
        DurableFiles.fsyncDirectory(dir, IoFaultHook.NONE);
    }

    private static Object writeLock(Path file) {
        return WRITE_LOCKS[Math.floorMod(key(file).hashCode(), WRITE_LOCKS.length)];
    }

    private static Path key(Path file) {
        return file.toAbsolutePath().normalize();
    }

    /**
     * Deletes checkpoint {@code id} (and a leftover temporary file), durably.
     *
     * @return whether a checkpoint existed
     * @throws CheckpointIoException when it cannot be deleted
     * @throws InvalidCheckpointIdException for an invalid id
     */
    public boolean delete(String id) {
        Path file = path(id);
        synchronized (writeLock(file)) {
            try {
                Files.deleteIfExists(directory.resolve(id + TEMP_SUFFIX));
                boolean existed = Files.deleteIfExists(file);
                if (existed) {
                    fsyncDirectory(directory);
                }
                return existed;
            } catch (IOException e) {
                throw new CheckpointIoException(file, e);
            }
        }
    }

    /**
     * The ids of the existing checkpoints, sorted; empty when the directory does not exist. Temporary files and
     * names that are not valid ids are left out. The files are not read, so a listed checkpoint may be damaged.
     *
     * @throws CheckpointIoException when the directory cannot be listed
     */
    public List<String> ids() {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                String id = name.substring(0, name.length() - SUFFIX.length());
                if (brokenRule(id) == null && Files.isRegularFile(p)) {
                    out.add(id);
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new CheckpointIoException(directory, e);
        }
        Collections.sort(out);
        return Collections.unmodifiableList(out);
    }

    /**
     * Claims exclusive use of checkpoint {@code id} of this directory within this JVM, until the claim is closed.
     * Claims are keyed by the checkpoint file's absolute normalized path, so two instances of this class on the
     * same directory share them (a directory reached through two different symbolic links is not recognized).
     * Other processes are not excluded.
     *
     * @throws CheckpointInUseException when the checkpoint is already claimed
     * @throws InvalidCheckpointIdException for an invalid id
     */
    public Claim claim(String id) {
        Path file = path(id);
        Path key = key(file);
        if (!CLAIMED.hold(key)) {
            throw new CheckpointInUseException(file);
        }
        return new Claim(id, file, key);
    }

    /** The data directory this instance was created with. */
    public Path dataDir() {
        return dataDir;
    }

    /** Exclusive use of one checkpoint within this JVM; {@link #close()} releases it. Thread-safe. */
    public static final class Claim implements AutoCloseable {
        private final String id;
        private final Path file;
        private final Path key;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Claim(String id, Path file, Path key) {
            this.id = id;
            this.file = file;
            this.key = key;
        }

        public String id() {
            return id;
        }

        /** The claimed checkpoint file. */
        public Path file() {
            return file;
        }

        /** Releases the claim; later calls do nothing (so they cannot release someone else's newer claim). */
        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                CLAIMED.release(key);
            }
        }
    }
}
