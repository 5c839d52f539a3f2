package io.batpak.core;

import io.batpak.core.error.InvalidInputException;
import java.util.List;

/**
 * Payload of a {@link EventKind#SYSTEM_IMPORT} event: where the events of one imported batch came from. Appended to
 * the entity {@value #ENTITY} (scope {@value #SCOPE}) as the last item of the atomic batch that holds those events,
 * so an imported event and its provenance are stored together or not at all. Read it with
 * {@code storedEvent.payloadAs(ImportRecord.class)}.
 *
 * @param sourceStoreId the id of the store the events were exported from
 * @param events        one entry per event of the batch, in order
 */
public record ImportRecord(String sourceStoreId, List<Source> events) {
    /** The entity import records are appended to. */
    public static final String ENTITY = "batpak:imports";
    /** The scope of import records. */
    public static final String SCOPE = "batpak";

    public ImportRecord {
        InvalidInputException.requireArgument(sourceStoreId, "sourceStoreId");
        events = List.copyOf(InvalidInputException.requireArgument(events, "events"));
    }

    /**
     * One imported event as it was in its source store. The event keeps its id, correlation and causation ids, kind,
     * flags, payload version, tags and payload; its sequences, timestamp and hashes are this store's.
     *
     * @param eventId              the event's id (the same in both stores)
     * @param sourceGlobalSequence its global sequence in the source
     * @param sourceEntitySequence its entity sequence in the source
     * @param sourceTimestampMicros its timestamp in the source
     * @param sourceEventHash      its eventHash in the source (hex)
     */
    public record Source(String eventId, long sourceGlobalSequence, long sourceEntitySequence,
                         long sourceTimestampMicros, String sourceEventHash) {
    }
}
