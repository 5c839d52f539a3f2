/**
 * Internal: the layout record, the partition protocol and its wire forms, the sharded partition entity, the
 * ownership directory and the allocation strategy. Not a public API; it may change in any release.
 */
package io.batpak.cluster.internal;
