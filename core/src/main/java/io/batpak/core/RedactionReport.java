package io.batpak.core;

import java.util.List;

/**
 * What a redaction did.
 *
 * @param redacted  the events whose payloads were redacted by this request, in global-sequence order (events already
 *                  redacted, removed or store records are not listed)
 * @param notFound  ids the request named that the store holds no visible event for
 * @param records   the ids of the {@link RedactionRecord} events that record the redaction (empty when nothing was
 *                  redacted)
 * @param erased    whether the payload bytes were erased from the store's files before the redaction completed
 *                  ({@link RedactionRequest#withEraseNow()}); else the next compaction erases them
 */
public record RedactionReport(List<EventId> redacted, List<EventId> notFound, List<EventId> records, boolean erased) {
    public RedactionReport {
        redacted = List.copyOf(redacted);
        notFound = List.copyOf(notFound);
        records = List.copyOf(records);
    }
}
