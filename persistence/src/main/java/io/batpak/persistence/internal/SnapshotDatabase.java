package io.batpak.persistence.internal;

import io.batpak.core.Hash;
import io.batpak.core.IoFaultHook;
import io.batpak.persistence.CorruptSnapshotException;
import io.batpak.persistence.SnapshotStoreException;
import io.batpak.projections.LmdbEnvironment;
import io.batpak.projections.ProjectionStoreException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.zip.CRC32C;
import org.lmdbjava.CursorIterable;
import org.lmdbjava.Dbi;
import org.lmdbjava.KeyRange;
import org.lmdbjava.Txn;

/**
 * The snapshot database: one LMDB environment in a directory of its own (by default {@code <store dir>/snapshots}),
 * one database {@code snapshots}.
 *
 * <p>Key (24 bytes): the first 16 bytes of BLAKE3(persistence id as UTF-8), then the Pekko sequence number as a
 * big-endian i64, so a persistence id's snapshots are adjacent and ordered by sequence number whatever the length
 * of the id (LMDB keys are limited to 511 bytes). Value, big-endian:
 *
 * <pre>
 *   0  u8   layout version (1)
 *   1  u8   flags: bit 0 = metadata present
 *   2  i32  CRC32C of bytes [6, end)
 *   6  i64  Pekko timestamp (ms), exactly as saved
 *  14  i32  serializer id of the snapshot
 *  18  str  serializer manifest          (str = u16 UTF-8 length + bytes)
 *      str  persistence id (checked on every read: a hash collision can never serve another id's snapshot)
 *      if metadata: i32 serializer id, str manifest, i32 length, bytes
 *      the serialized snapshot, to the end
 * </pre>
 *
 * Every write is one LMDB transaction, durable (LMDB forces on commit) before the call returns; the environment
 * ({@link LmdbEnvironment}) runs it on its writer thread, grows a full map and serves reads on any thread.
 * Thread-safe.
 */
public final class SnapshotDatabase implements AutoCloseable {
    private static final int VERSION = 1;
    private static final int FLAG_METADATA = 1;
    private static final int KEY_BYTES = 24;
    private static final int ID_BYTES = 16;
    private static final int CRC_FROM = 6;

    private final LmdbEnvironment env;
    private final Dbi<byte[]> db;

    /** One stored snapshot. */
    public record Record(String persistenceId, long sequenceNr, long timestamp, int serializerId, String manifest,
                         byte[] snapshot, Metadata metadata) {
    }

    /** Serialized snapshot metadata. */
    public record Metadata(int serializerId, String manifest, byte[] bytes) {
    }

    /**
     * Opens (creating) the database in {@code directory}.
     *
     * @throws SnapshotStoreException when LMDB cannot open it
     */
    public SnapshotDatabase(Path directory, long initialMapSize, int maxReaders, IoFaultHook faults) {
        try {
            this.env = new LmdbEnvironment(directory, initialMapSize, maxReaders, true, "batpak-snapshots-writer",
                    faults);
            this.db = env.db("snapshots");
        } catch (ProjectionStoreException e) {
            throw new SnapshotStoreException(directory, "cannot open: " + e.getMessage(), e);
        }
    }

    /** Stores (or replaces) one snapshot, durably. */
    public void save(Record r) {
        byte[] key = key(r.persistenceId(), r.sequenceNr());
        byte[] value = encode(r);
        write("save of " + r.persistenceId() + " at " + r.sequenceNr(), txn -> {
            db.put(txn, key, value);
            return null;
        });
    }

    /**
     * The newest snapshot of {@code persistenceId} with sequence number in [{@code minSeq}, {@code maxSeq}] that
     * {@code accept} accepts (the timestamp bounds), or null.
     *
     * @throws CorruptSnapshotException when a candidate fails its check (it is never skipped silently)
     */
    public Record newest(String persistenceId, long minSeq, long maxSeq, Predicate<Record> accept) {
        if (minSeq > maxSeq) {
            return null;
        }
        return read(txn -> {
            try (CursorIterable<byte[]> it = db.iterate(txn, KeyRange.closedBackward(
                    key(persistenceId, maxSeq), key(persistenceId, Math.max(0, minSeq))))) {
                for (CursorIterable.KeyVal<byte[]> kv : it) {
                    Record r = decode(persistenceId, kv.key(), kv.val());
                    if (r != null && accept.test(r)) {
                        return r;
                    }
                }
            }
            return null;
        });
    }

    /**
     * Deletes the snapshots of {@code persistenceId} with sequence number in [{@code minSeq}, {@code maxSeq}] that
     * {@code accept} accepts, durably.
     *
     * @return how many were deleted
     */
    public int delete(String persistenceId, long minSeq, long maxSeq, Predicate<Record> accept) {
        if (minSeq > maxSeq) {
            return 0;
        }
        return write("delete of " + persistenceId, txn -> {
            List<byte[]> keys = new ArrayList<>();
            try (CursorIterable<byte[]> it = db.iterate(txn, KeyRange.closed(
                    key(persistenceId, Math.max(0, minSeq)), key(persistenceId, maxSeq)))) {
                for (CursorIterable.KeyVal<byte[]> kv : it) {
                    Record r = decode(persistenceId, kv.key(), kv.val());
                    if (r != null && accept.test(r)) {
                        keys.add(kv.key());
                    }
                }
            }
            for (byte[] k : keys) {
                db.delete(txn, k);
            }
            return keys.size();
        });
    }

    /** How many snapshots are stored. */
    public long count() {
        return read(txn -> db.stat(txn).entries);
    }

    /** The database directory. */
    public Path directory() {
        return env.directory();
    }

    @Override
    public void close() {
        env.close();
    }

    private <R> R read(Function<Txn<byte[]>, R> work) {
        try {
            return env.read(work);
        } catch (ProjectionStoreException e) {
            throw new SnapshotStoreException(env.directory(), e.getMessage(), e);
        }
    }

    private <R> R write(String what, Function<Txn<byte[]>, R> work) {
        try {
            return env.write(work).join();
        } catch (java.util.concurrent.CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof CorruptSnapshotException c) {
                throw c;
            }
            throw new SnapshotStoreException(env.directory(), what + " failed, nothing was changed: "
                    + cause.getMessage(), cause);
        }
    }

    static byte[] key(String persistenceId, long sequenceNr) {
        byte[] id = Hash.blake3(persistenceId.getBytes(StandardCharsets.UTF_8)).toByteArray();
        return ByteBuffer.allocate(KEY_BYTES).put(id, 0, ID_BYTES).putLong(sequenceNr).array();
    }

    static byte[] encode(Record r) {
        byte[] manifest = r.manifest().getBytes(StandardCharsets.UTF_8);
        byte[] pid = r.persistenceId().getBytes(StandardCharsets.UTF_8);
        Metadata m = r.metadata();
        byte[] metaManifest = m == null ? null : m.manifest().getBytes(StandardCharsets.UTF_8);
        int size = CRC_FROM + 8 + 4 + 2 + manifest.length + 2 + pid.length + r.snapshot().length
                + (m == null ? 0 : 4 + 2 + metaManifest.length + 4 + m.bytes().length);
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put((byte) VERSION).put((byte) (m == null ? 0 : FLAG_METADATA)).putInt(0);
        b.putLong(r.timestamp()).putInt(r.serializerId());
        b.putShort((short) manifest.length).put(manifest);
        b.putShort((short) pid.length).put(pid);
        if (m != null) {
            b.putInt(m.serializerId()).putShort((short) metaManifest.length).put(metaManifest);
            b.putInt(m.bytes().length).put(m.bytes());
        }
        b.put(r.snapshot());
        byte[] out = b.array();
        CRC32C crc = new CRC32C();
        crc.update(out, CRC_FROM, out.length - CRC_FROM);
        ByteBuffer.wrap(out).putInt(2, (int) crc.getValue());
        return out;
    }

    /** The record, or null when it belongs to another persistence id with the same key prefix. */
    static Record decode(String persistenceId, byte[] key, byte[] value) {
        long seq = ByteBuffer.wrap(key).getLong(ID_BYTES);
        try {
            ByteBuffer b = ByteBuffer.wrap(value);
            int version = b.get() & 0xFF;
            if (version != VERSION) {
                throw new CorruptSnapshotException(persistenceId, seq, "unknown layout version " + version);
            }
            int flags = b.get() & 0xFF;
            int stored = b.getInt();
            CRC32C crc = new CRC32C();
            crc.update(value, CRC_FROM, value.length - CRC_FROM);
            if (stored != (int) crc.getValue()) {
                throw new CorruptSnapshotException(persistenceId, seq, "CRC32C mismatch");
            }
            long timestamp = b.getLong();
            int serializerId = b.getInt();
            String manifest = string(b);
            String pid = string(b);
            if (!pid.equals(persistenceId)) {
                return null;
            }
            Metadata m = null;
            if ((flags & FLAG_METADATA) != 0) {
                int id = b.getInt();
                String mm = string(b);
                byte[] mb = new byte[b.getInt()];
                b.get(mb);
                m = new Metadata(id, mm, mb);
            }
            byte[] snapshot = Arrays.copyOfRange(value, b.position(), value.length);
            return new Record(pid, seq, timestamp, serializerId, manifest, snapshot, m);
        } catch (RuntimeException e) {
            if (e instanceof CorruptSnapshotException c) {
                throw c;
            }
            throw new CorruptSnapshotException(persistenceId, seq, "truncated record: " + e);
        }
    }

    private static String string(ByteBuffer b) {
        byte[] s = new byte[b.getShort() & 0xFFFF];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }
}
