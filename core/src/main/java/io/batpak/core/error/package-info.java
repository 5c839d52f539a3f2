/**
 * Every error batpak reports: unchecked subclasses of {@link io.batpak.core.error.StoreException}, each with a
 * {@link io.batpak.core.error.StoreException.Category} that says what a caller can do (fix the input, re-read and
 * decide, retry, repair, reopen). Public API: compatible within a major version.
 */
package io.batpak.core.error;
