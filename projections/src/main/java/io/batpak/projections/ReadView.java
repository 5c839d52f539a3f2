package io.batpak.projections;

import java.util.List;

/**
 * Reads of a read model's databases inside one LMDB transaction: a consistent snapshot of everything committed
 * before it began (and, in a {@link ReadModelTransaction}, the transaction's own writes). Keys compare as unsigned
 * bytes. Valid only during the call it is passed to; not thread-safe.
 */
public interface ReadView {
    /** The value of {@code key} in database {@code db}, or null. */
    byte[] get(String db, byte[] key);

    /** The value as a big-endian long ({@link Keys#ofLong}), or {@code absent} when there is none. */
    default long getLong(String db, byte[] key, long absent) {
        byte[] v = get(db, key);
        return v == null ? absent : Keys.toLong(v);
    }

    /** The value decoded with {@code codec}, or null. */
    default <T> T get(String db, byte[] key, ValueCodec<T> codec) {
        byte[] v = get(db, key);
        return v == null ? null : codec.decode(v);
    }

    /**
     * At most {@code limit} entries of {@code db} with {@code from <= key < to} in key order ({@code from} null: from
     * the first key; {@code to} null: to the last).
     */
    List<KeyValue> range(String db, byte[] from, byte[] to, int limit);

    /** The number of entries of {@code db}. */
    long count(String db);

    /** A key and its value. */
    record KeyValue(byte[] key, byte[] value) {
    }

    /** Encodes and decodes values. */
    interface ValueCodec<T> {
        byte[] encode(T value);

        T decode(byte[] bytes);
    }
}
