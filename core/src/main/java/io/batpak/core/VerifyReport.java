package io.batpak.core;

import java.util.Optional;

/**
 * The result of {@code verify()} (the whole store) or {@code verifyEntity(entity)}: what was checked and the first
 * integrity break found, if any. Verification stops at the first break.
 *
 * @param entity              the verified entity, null for a whole-store verification
 * @param throughGlobalSequence the visible watermark read when verification started: events after it were not checked
 *                            (-1 for an empty store)
 * @param events              events whose frames passed every check
 * @param entities            distinct entities among them
 * @param segments            segment files read
 * @param bytes               frame bytes that passed every check
 * @param firstBreak          the first break, or null when everything checked holds
 */
public record VerifyReport(String entity, long throughGlobalSequence, long events, long entities, int segments,
                           long bytes, IntegrityBreak firstBreak) {

    /** Whether every check held. */
    public boolean ok() {
        return firstBreak == null;
    }

    /** The first break, if any. */
    public Optional<IntegrityBreak> breakage() {
        return Optional.ofNullable(firstBreak);
    }

    @Override
    public String toString() {
        return "VerifyReport[" + (entity == null ? "store" : "entity \"" + entity + "\"") + " through global "
                + throughGlobalSequence + ": " + events + " events, " + entities + " entities, " + segments
                + " segments, " + bytes + " bytes, " + (firstBreak == null ? "ok" : "BROKEN: " + firstBreak) + "]";
    }
}
