package io.batpak.projections;

import java.util.Optional;

/**
 * A read model's progress: its committed offset (the global sequence of the last event whose effect is committed,
 * -1 before the first), its lag (events of its region after the offset, counted up to {@code lagCap}; equal to the
 * cap means "at least"), whether it runs, and the error that stopped it.
 */
public record ReadModelStatus(String model, long offset, long lag, long lagCap, boolean running,
                              Optional<Throwable> lastError) {
}
