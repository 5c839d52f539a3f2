/**
 * Pekko Streams delivery over a {@link io.batpak.actors.BatpakStore}: lossy push subscriptions, guaranteed
 * checkpointed cursors, and Sinks and Flows that append. Not yet implemented; this module currently only fixes
 * the package and its dependencies.
 */
package io.batpak.streams;
