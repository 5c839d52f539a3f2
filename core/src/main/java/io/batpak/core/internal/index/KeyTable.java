package io.batpak.core.internal.index;

/**
 * An open-addressing hash map from a non-zero 128-bit key to a long, with linear probing and backward-shift
 * deletion (no tombstones). Not thread-safe.
 */
final class KeyTable {
    private static final int INITIAL_CAPACITY = 1 << 10;
    private long[] msb = new long[INITIAL_CAPACITY];
    private long[] lsb = new long[INITIAL_CAPACITY];
    private long[] values = new long[INITIAL_CAPACITY];
    private int size;

    int size() {
        return size;
    }

    /**
     * The hash of a 128-bit key (an event id, an idempotency key) for open addressing: the one mixer of the index
     * (a multiply and the finaliser of MurmurHash3's 64-bit mix, so ids that differ only in high bits spread).
     */
    static int mix(long m, long l) {
        long h = m * 0x9E3779B97F4A7C15L ^ l;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return (int) h;
    }

    /** The value of the key, or -1 when absent. */
    long get(long m, long l) {
        int mask = msb.length - 1;
        int h = mix(m, l) & mask;
        while (msb[h] != 0 || lsb[h] != 0) {
            if (msb[h] == m && lsb[h] == l) {
                return values[h];
            }
            h = (h + 1) & mask;
        }
        return -1;
    }

    void put(long m, long l, long value) {
        if ((size + 1) * 2 > msb.length) {
            grow();
        }
        int mask = msb.length - 1;
        int h = mix(m, l) & mask;
        while (msb[h] != 0 || lsb[h] != 0) {
            if (msb[h] == m && lsb[h] == l) {
                values[h] = value;
                return;
            }
            h = (h + 1) & mask;
        }
        msb[h] = m;
        lsb[h] = l;
        values[h] = value;
        size++;
    }

    void remove(long m, long l) {
        int mask = msb.length - 1;
        int h = mix(m, l) & mask;
        while (msb[h] != 0 || lsb[h] != 0) {
            if (msb[h] == m && lsb[h] == l) {
                deleteAt(h, mask);
                size--;
                return;
            }
            h = (h + 1) & mask;
        }
    }

    private void deleteAt(int hole, int mask) {
        int i = hole;
        while (true) {
            i = (i + 1) & mask;
            if (msb[i] == 0 && lsb[i] == 0) {
                break;
            }
            int home = mix(msb[i], lsb[i]) & mask;
            // Move the entry back into the hole if its home does not lie cyclically in (hole, i].
            boolean between = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
            if (!between) {
                msb[hole] = msb[i];
                lsb[hole] = lsb[i];
                values[hole] = values[i];
                hole = i;
            }
        }
        msb[hole] = 0;
        lsb[hole] = 0;
        values[hole] = 0;
    }

    private void grow() {
        long[] om = msb;
        long[] ol = lsb;
        long[] ov = values;
        msb = new long[om.length * 2];
        lsb = new long[om.length * 2];
        values = new long[om.length * 2];
        size = 0;
        for (int i = 0; i < om.length; i++) {
            if (om[i] != 0 || ol[i] != 0) {
                put(om[i], ol[i], ov[i]);
            }
        }
    }
}
