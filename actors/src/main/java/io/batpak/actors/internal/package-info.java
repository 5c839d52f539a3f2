/**
 * Internal: the actors of one store (guardian, writer, entity partitions, fan-out, front door, batch coordinators),
 * their protocols and the state they share. See docs/ARCHITECTURE.md.
 *
 * <p>Not part of batpak's public API and without any compatibility promise: names, signatures and behaviour may
 * change in any release. Applications use {@code io.batpak.actors}.
 */
package io.batpak.actors.internal;
