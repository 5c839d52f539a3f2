package io.batpak.core;

import io.batpak.core.error.InvalidInputException;
import java.util.List;

/**
 * Payload of a {@link EventKind#SYSTEM_REDACTION} event: the durable record that the payloads of some events were
 * redacted, and why. One redaction appends one record per at most {@value #MAX_EVENTS} events (fewer when the
 * configured payload or segment size is small) to the entity {@value #ENTITY} (scope {@value #SCOPE}), in atomic
 * batches of half a segment at most, so the record of a redaction is itself part of the store's audit trail and hash
 * chain. It never holds a payload. Read it with
 * {@code storedEvent.payloadAs(RedactionRecord.class)}.
 *
 * @param reason   why the payloads were redacted, as the request gave it
 * @param target   what the request named: {@code "entity <name>"}, {@code "events"} or {@code "region <region>"}
 * @param eventIds the ids of the redacted events (text form), in global-sequence order
 */
public record RedactionRecord(String reason, String target, List<String> eventIds) {
    /** The entity redaction records are appended to. */
    public static final String ENTITY = "batpak:redactions";
    /** The scope of redaction records. */
    public static final String SCOPE = "batpak";
    /** Most event ids in one record. */
    public static final int MAX_EVENTS = 4096;

    public RedactionRecord {
        InvalidInputException.requireArgument(reason, "reason");
        InvalidInputException.requireArgument(target, "target");
        eventIds = List.copyOf(InvalidInputException.requireArgument(eventIds, "eventIds"));
    }
}
