/**
 * Internal: the read-model runner and the handler's transaction view. Not a public API; it may change in any release.
 */
package io.batpak.projections.internal;
