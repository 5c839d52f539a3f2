package io.batpak.core.error;

import io.batpak.core.IntegrityBreak;
import io.batpak.core.StoredEvent;
import java.util.List;

/**
 * {@code walkAncestors} met an event that fails its integrity checks: its frame is damaged, its content no longer
 * hashes to its eventHash, or its link to its predecessor is broken. {@link #breakage()} names file, offset, event
 * and reason; {@link #walked()} holds the events before the break, which passed every check.
 */
public final class ChainBrokenException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final transient IntegrityBreak breakage;
    private final transient List<StoredEvent> walked;

    public ChainBrokenException(IntegrityBreak breakage, List<StoredEvent> walked) {
        super("hash chain broken: " + breakage);
        this.breakage = breakage;
        this.walked = List.copyOf(walked);
    }

    public IntegrityBreak breakage() {
        return breakage;
    }

    /** The events walked before the break (newest first), each checked. */
    public List<StoredEvent> walked() {
        return walked;
    }

    /** {@link Category#CORRUPTION}. */
    @Override
    public Category category() {
        return Category.CORRUPTION;
    }
}
