package io.batpak.persistence.app;

/** Marker of messages, events and snapshots serialized with Jackson CBOR (bound in {@link Counter#CONFIG}). */
public interface CborSerializable {
}
