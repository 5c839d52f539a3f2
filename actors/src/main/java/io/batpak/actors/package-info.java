/**
 * The embedded store on Pekko typed actors: {@link io.batpak.actors.BatpakStore} (open, append, read, close),
 * {@link io.batpak.actors.BatpakStores} (the ActorSystem extension), {@link io.batpak.actors.RuntimeSettings},
 * the typed protocol {@link io.batpak.actors.StoreCommand} and the live {@link io.batpak.actors.StoreFeed}.
 * Public API.
 */
package io.batpak.actors;
