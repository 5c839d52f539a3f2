/**
 * Internal: the LMDB environment handling of batpak-projections. Not a public API; it may change in any release.
 */
package io.batpak.projections.internal;
