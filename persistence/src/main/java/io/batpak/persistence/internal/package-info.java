/**
 * Internal: the mapping of Pekko Persistence data onto batpak events and the LMDB snapshot database. Not a public
 * API; it may change in any release.
 */
package io.batpak.persistence.internal;
