package io.batpak.cluster;

import java.util.Optional;

/**
 * The outcome of verifying one partition's store on its owner ({@link io.batpak.core.VerifyReport} there): every
 * frame, CRC, hash chain and index entry checked through {@code throughGlobalSequence}.
 *
 * @param breakage a description of the first integrity break, or null when every check held
 */
public record PartitionVerification(int partition, long throughGlobalSequence, long events, long entities,
                                    int segments, long bytes, String breakage) {
    /** Whether every check held. */
    public boolean ok() {
        return breakage == null;
    }

    public Optional<String> firstBreak() {
        return Optional.ofNullable(breakage);
    }
}
