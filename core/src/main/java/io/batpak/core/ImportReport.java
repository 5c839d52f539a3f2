package io.batpak.core;

/**
 * What an import did.
 *
 * @param sourceStoreId        the id of the store the file was exported from
 * @param format               the file's format
 * @param imported             events appended
 * @param alreadyPresent       events skipped because this store already holds an event with their id (an earlier
 *                             import of the same file, or of an overlapping one)
 * @param skippedRedacted      events skipped because their payload was redacted in the source (an event cannot be
 *                             appended without its payload)
 * @param skippedStoreRecords  store records skipped (events of a reserved kind: redaction and import records, gate
 *                             denials); they describe the source store, not this one
 * @param batches              atomic batches appended, each with its {@link ImportRecord}
 */
public record ImportReport(String sourceStoreId, ExportFormat format, long imported, long alreadyPresent,
                           long skippedRedacted, long skippedStoreRecords, long batches) {
}
