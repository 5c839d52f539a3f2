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
 * A read model's view of one LMDB transaction, limited to the model's own databases. A full map met by a write is
 * remembered and rethrown after the handler returns, so a handler that catches it cannot keep the batch from being
 * run again on a larger map.
 */
public final class TxnView implements ReadModelTransaction {
    private final String model;
    private final Txn<byte[]> txn;
    private final Map<String, Dbi<byte[]>> dbs;
    private RuntimeException mapFull;

    public TxnView(String model, Txn<byte[]> txn, Map<String, Dbi<byte[]>> dbs) {
        this.model = model;
        this.txn = txn;
        this.dbs = dbs;
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
        byte[] v = db(db).get(txn, InvalidInputException.requireArgument(key, "key"));
        return v;
    }

    @Override
    public List<KeyValue> range(String db, byte[] from, byte[] to, int limit) {
        InvalidInputException.requireRange(limit, 0, Integer.MAX_VALUE, "limit");
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
        try {
            d.put(txn, key, value);
        } catch (Env.MapFullException e) {
            mapFull = e;
            throw e;
        }
    }

    @Override
    public boolean delete(String db, byte[] key) {
        try {
            return db(db).delete(txn, InvalidInputException.requireArgument(key, "key"));
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
