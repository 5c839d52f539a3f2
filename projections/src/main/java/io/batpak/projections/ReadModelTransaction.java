package io.batpak.projections;

/**
 * The write transaction a read model's handler gets for a batch: its reads see its own writes; everything it
 * writes is committed with the model's offset, or not at all. Only the databases the model declared are reachable.
 * Valid only during the handler call; not thread-safe.
 */
public interface ReadModelTransaction extends ReadView {
    /** Sets {@code key} of {@code db} to {@code value}. */
    void put(String db, byte[] key, byte[] value);

    /** Removes {@code key} from {@code db}; false when it was absent. */
    boolean delete(String db, byte[] key);

    /** Sets a big-endian long value. */
    default void putLong(String db, byte[] key, long value) {
        put(db, key, Keys.ofLong(value));
    }

    /** Adds {@code delta} to a long value (absent counts as 0) and returns the new value. */
    default long addLong(String db, byte[] key, long delta) {
        long next = getLong(db, key, 0) + delta;
        putLong(db, key, next);
        return next;
    }

    /** Sets a value encoded with {@code codec}. */
    default <T> void put(String db, byte[] key, T value, ValueCodec<T> codec) {
        put(db, key, codec.encode(value));
    }
}
