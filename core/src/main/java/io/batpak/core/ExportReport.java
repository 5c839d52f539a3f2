package io.batpak.core;

import java.nio.file.Path;

/**
 * What an export wrote.
 *
 * @param file                  the export file
 * @param format                its format
 * @param events                events written
 * @param bytes                 size of the file
 * @param throughGlobalSequence the last global sequence the export covered (the store's last visible event when it
 *                              started); events appended later are not in it
 * @param storeId               the exporting store's id, recorded in the file's header as the events' source
 */
public record ExportReport(Path file, ExportFormat format, long events, long bytes, long throughGlobalSequence,
                           String storeId) {
}
