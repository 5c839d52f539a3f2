package io.batpak.projections.internal;

import io.batpak.core.error.InvalidInputException;
import io.batpak.projections.ReadModelTransaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lmdbjava.CursorIterable;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.KeyRange;
import org.lmdbjava.Txn;

/**
 * A read model's view of one LMDB transaction, limited to the model's own databases.
 *
 * <p>Writes of a batch are held in a per-database overlay and written to LMDB once per key at {@link #flush()}
 * (before the offset, in the same transaction): a counting model touching the same key for many events of a batch
 * pays one LMDB read and one write per key instead of one of each per event. Reads see the overlay first; a range
 * read flushes it. Each LMDB call crosses JNI and copies into native memory, which is what this saves.
 *
 * <p>A full map met by a write is remembered and rethrown after the handler returns, so a handler that catches it
 * cannot keep the batch from being run again on a larger map.
 */
public final class TxnView implements ReadModelTransaction {
    private final String model;
    private final Txn<byte[]> txn;
    private final Map<String, Dbi<byte[]>> dbs;
    private final boolean writable;
    /** Per database: key -> value, or DELETED. Keys wrapped so arrays compare by content. */
    private final Map<String, Map<Key, byte[]>> overlay = new java.util.HashMap<>();
    private static final byte[] DELETED = new byte[0];
    private RuntimeException mapFull;

    private record Key(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && java.util.Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(bytes);
        }
    }

    public TxnView(String model, Txn<byte[]> txn, Map<String, Dbi<byte[]>> dbs) {
        this.model = model;
        this.txn = txn;
        this.dbs = dbs;
        this.writable = !txn.isReadOnly();
    }

    private Dbi<byte[]> db(String name) {
        Dbi<byte[]> db = dbs.get(name);
        if (db == null) {
            throw new InvalidInputException("db", "read model " + model + " has no database '" + name
                    + "' (declared: " + dbs.keySet() + ")");
        }
        return db;
    }

    @Override
    public byte[] get(String db, byte[] key) {
        Dbi<byte[]> d = db(db);
        InvalidInputException.requireArgument(key, "key");
        Map<Key, byte[]> o = overlay.get(db);
        if (o != null) {
            byte[] held = o.get(new Key(key));
            if (held != null) {
                return held == DELETED ? null : held.clone();
            }
        }
        return d.get(txn, key);
    }

    @Override
    public List<KeyValue> range(String db, byte[] from, byte[] to, int limit) {
        InvalidInputException.requireRange(limit, 0, Integer.MAX_VALUE, "limit");
        flush();
        KeyRange<byte[]> range = from == null && to == null ? KeyRange.all()
                : from == null ? KeyRange.lessThan(to) : to == null ? KeyRange.atLeast(from) : KeyRange.closedOpen(from, to);
        List<KeyValue> out = new ArrayList<>();
        try (CursorIterable<byte[]> it = db(db).iterate(txn, range)) {
            for (CursorIterable.KeyVal<byte[]> kv : it) {
                if (out.size() >= limit) {
                    break;
                }
                out.add(new KeyValue(kv.key(), kv.val()));
            }
        }
        return out;
    }

    @Override
    public long count(String db) {
        flush();
        return db(db).stat(txn).entries;
    }

    @Override
    public void put(String db, byte[] key, byte[] value) {
        Dbi<byte[]> d = db(db);
        InvalidInputException.requireArgument(key, "key");
        InvalidInputException.requireArgument(value, "value");
        if (key.length == 0 || key.length > 511) {
            throw new InvalidInputException("key", "LMDB keys have 1 to 511 bytes, this one " + key.length);
        }
        overlay.computeIfAbsent(db, k -> new java.util.HashMap<>()).put(new Key(key.clone()), value.clone());
    }

    @Override
    public boolean delete(String db, byte[] key) {
        boolean existed = get(db, key) != null;
        overlay.computeIfAbsent(db, k -> new java.util.HashMap<>()).put(new Key(key.clone()), DELETED);
        return existed;
    }

    /** Writes the overlay to the transaction. */
    public void flush() {
        if (!writable || overlay.isEmpty()) {
            return;
        }
        try {
            for (Map.Entry<String, Map<Key, byte[]>> db : overlay.entrySet()) {
                Dbi<byte[]> d = dbs.get(db.getKey());
                for (Map.Entry<Key, byte[]> kv : db.getValue().entrySet()) {
                    if (kv.getValue() == DELETED) {
                        d.delete(txn, kv.getKey().bytes());
                    } else {
                        d.put(txn, kv.getKey().bytes(), kv.getValue());
                    }
                }
            }
            overlay.clear();
        } catch (Env.MapFullException e) {
            mapFull = e;
            throw e;
        }
    }

    /** Rethrows a full map the handler may have swallowed. */
    public void rethrowMapFull() {
        if (mapFull != null) {
            throw mapFull;
        }
    }
}
