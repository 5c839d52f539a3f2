/**
 * Pekko Streams delivery over a {@link io.batpak.actors.BatpakStore}; entry points in {@link io.batpak.streams.BatpakStreams}.
 *
 * <ul>
 *   <li><b>Subscriptions</b> ({@code subscribe}): live, lossy push of a region's new events. A slow consumer
 *       never slows the writer: its bounded buffer drops (and counts) or fails the stream.</li>
 *   <li><b>Cursors</b> ({@code cursor}, {@code committableCursor}): every event of a region in global order,
 *       read from the index as demand arrives, history first and then live, resumable from a durable
 *       checkpoint (at-least-once).</li>
 *   <li><b>Appending</b> ({@code appendFlow}, {@code appendSink}): backpressured appends, in order per entity.</li>
 *   <li><b>Reactors</b> ({@code runReactor}): a checkpointed cursor whose reactions are appended idempotently.</li>
 * </ul>
 *
 * <p>Defaults come from {@code batpak.streams} in {@code reference.conf}.
 */
package io.batpak.streams;
