package io.batpak.core.internal.exchange;

import io.batpak.core.Coordinate;
import io.batpak.core.EventId;
import io.batpak.core.EventKind;
import java.util.List;

/**
 * One event read from an export file, checked: what an import appends (id, coordinate, kind, correlation, causation,
 * flags, payload version, tags, payload as stored) and where it came from.
 *
 * @param payload  the payload as stored in the source: the plaintext, or the subject's envelope when {@code sealed};
 *                 empty when {@code redacted}
 */
public record ExportedEvent(EventId eventId, Coordinate coordinate, EventKind kind, EventId correlationId,
                            EventId causationId, int flags, int payloadVersion, List<String> tags, byte[] payload,
                            boolean sealed, boolean redacted, long sourceGlobalSequence, long sourceEntitySequence,
                            long sourceTimestampMicros, byte[] sourceEventHash) {
}
