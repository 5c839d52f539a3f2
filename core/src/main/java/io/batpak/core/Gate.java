package io.batpak.core;

import io.batpak.core.error.GateDeniedException;

/**
 * Caller-defined policy checked before an append is committed. Gates are configured as an ordered list
 * ({@link StoreConfig.Builder#gate(Gate)}); for every single append and every item of an atomic batch the store
 * evaluates them in order in the entity's partition: after the idempotency lookup (a retry of a committed key gets
 * its receipt without being gated) and the expected-sequence check, and before an entity sequence is assigned. The
 * first denial fails the append (or the whole batch, storing nothing) with {@link GateDeniedException}; later gates
 * are not evaluated. A gate that throws (or returns null) denies with code {@link #DEFECT_CODE}.
 *
 * <p><b>Gates run on the store's entity-index actors</b>, concurrently for entities of different partitions: an
 * implementation must be thread-safe, fast and non-blocking (no I/O, no waiting on locks or futures, no calls back
 * into the store). While a gate runs, every other append of its partition waits.
 */
public interface Gate {
    /** The code of the denial reported for a gate that threw or returned no verdict. */
    String DEFECT_CODE = "GATE_DEFECT";

    /** A short, stable name reported in denials. */
    String name();

    /**
     * Decides on one proposed append.
     *
     * @return {@link GateVerdict#permit()} or {@link GateVerdict#deny(String, String)}
     */
    GateVerdict evaluate(GateProposal proposal);
}
