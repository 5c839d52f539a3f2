package io.batpak.core;

import java.nio.file.Path;

/**
 * What a backup copied: the destination, the events it holds (global sequences 0 to {@code events - 1}: the
 * store's visible events when the backup took its snapshot), how many segments were hard-linked and how many
 * copied, and the bytes copied.
 */
public record BackupReport(Path destination, long events, int segmentsLinked, int segmentsCopied, long bytesCopied) {
}
