/**
 * Internal: export files (NDJSON and binary) written from a store and read back for an import. No compatibility
 * promise for the classes; the file layouts are documented in {@code docs/FORMAT.md}, "Export files".
 */
package io.batpak.core.internal.exchange;
