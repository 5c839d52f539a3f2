package io.batpak.projections;

import io.batpak.core.EventKind;
import io.batpak.core.Region;
import io.batpak.core.StoredEvent;
import java.nio.ByteBuffer;
import java.util.List;

/** A read model counting events per entity and summing the long in their first 8 payload bytes. */
final class Counting {
    static final EventKind KIND = EventKind.of(0x1, 0x001);
    static final String COUNTS = "counts";
    static final String SUMS = "sums";

    private Counting() {
    }

    static byte[] payload(long amount) {
        return ByteBuffer.allocate(8).putLong(amount).array();
    }

    static long amount(StoredEvent e) {
        return ByteBuffer.wrap(e.payload()).getLong();
    }

    static ReadModel model(String name) {
        return ReadModel.of(name, Region.all().withKind(KIND), List.of(COUNTS, SUMS), (e, txn) -> {
            byte[] key = Keys.of(e.coordinate().entity());
            txn.addLong(COUNTS, key, 1);
            txn.addLong(SUMS, key, amount(e));
        });
    }
}
