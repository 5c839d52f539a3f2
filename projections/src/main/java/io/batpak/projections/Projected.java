package io.batpak.projections;

/**
 * A projected state and the position it is as of: the global and entity sequence of the entity's last event the
 * state accounts for (events of kinds the projection does not read included; -1 when the entity had none), and
 * whether it was answered from the cache without reading any event.
 */
public record Projected<S>(S state, long lastGlobalSequence, long lastEntitySequence, boolean fromCache) {
}
