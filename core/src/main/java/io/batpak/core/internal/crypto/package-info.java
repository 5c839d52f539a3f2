/**
 * Internal: payload encryption for crypto-shredding: the subject key store and the sealed-payload envelope.
 *
 * <p>Not part of batpak's public API and without any compatibility promise: names, signatures and behaviour may
 * change in any release. Applications use {@code io.batpak.core}, {@code io.batpak.core.error} and the public
 * packages of the other modules.
 */
package io.batpak.core.internal.crypto;
