package io.batpak.streams;

import io.batpak.core.StoredEvent;

/** An event emitted by a committable cursor, with the offset to commit once it has been processed. */
public record CommittableEvent(StoredEvent event, CommittableOffset offset) {
}
