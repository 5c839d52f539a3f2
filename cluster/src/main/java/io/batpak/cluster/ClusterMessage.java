package io.batpak.cluster;

/**
 * Marks every message batpak-cluster sends between nodes. {@code reference.conf} binds it to Pekko's
 * {@code jackson-cbor} serializer; the messages are records of plain data (numbers, strings, byte arrays, actor
 * refs and stream refs), each carrying the protocol version it was written with.
 */
public interface ClusterMessage {
}
