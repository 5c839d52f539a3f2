package io.batpak.core;

/**
 * The formats {@code BatpakStore.export} writes and {@code BatpakStore.importFrom} reads (both recognise a file by
 * its first bytes). Layouts in {@code docs/FORMAT.md}, "Export files".
 */
public enum ExportFormat {
    /**
     * Newline-delimited JSON: a header line, one line per event with every header field, the tags, the hashes and
     * the payload (as JSON when it is CBOR that round-trips through JSON byte for byte, else base64), and a trailer
     * line with the event count. For people and tools.
     */
    NDJSON,
    /** A compact binary stream: a header, every event's frame exactly as stored (checksummed), and a trailer. */
    BINARY
}
