package io.batpak.cluster.internal;

import io.batpak.cluster.ClusterMessage;
import io.batpak.cluster.internal.Wire.WireAppend;
import io.batpak.cluster.internal.Wire.WireError;
import io.batpak.cluster.internal.Wire.WireEvent;
import io.batpak.cluster.internal.Wire.WireReceipt;
import io.batpak.cluster.internal.Wire.WireRegion;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.stream.SourceRef;

/**
 * The messages between a node and the partition entity that owns a partition (sharded, one per partition). Every
 * command carries a {@link Header}: the protocol version it was written with, the sender's partition count and
 * the partition it is for; the entity refuses a command of another major version or count. Every command is
 * answered exactly once, with its own reply or a {@link Failed}. All are records of plain data, serialized with
 * Jackson CBOR (a new field gets a default; a change that old nodes cannot read raises {@link #PROTOCOL}).
 */
public final class PartitionProtocol {
    /** The version of this protocol; a node refuses commands of another one. */
    public static final int PROTOCOL = 1;

    private PartitionProtocol() {
    }

    public record Header(int protocol, int partitions, int partition) implements ClusterMessage {
    }

    public sealed interface Command extends ClusterMessage {
        Header header();

        ActorRef<Reply> replyTo();
    }

    /**
     * Appends of one partition, in groups stored in list order: each group is an atomic batch (one item: a single
     * append) and gets its own outcome, so that one sender's concurrent appends travel together.
     */
    public record Append(Header header, List<AppendGroup> groups, ActorRef<Reply> replyTo) implements Command {
    }

    /** One atomic group of an {@link Append}. */
    public record AppendGroup(List<WireAppend> items) implements ClusterMessage {
    }

    /** The outcome of one group: its receipts in item order, or the error that stored none of it. */
    public record GroupOutcome(List<WireReceipt> receipts, WireError error) implements ClusterMessage {
    }

    public record Get(Header header, long[] eventId, ActorRef<Reply> replyTo) implements Command {
    }

    public record ReadEntity(Header header, String entity, long fromSequence, int max, ActorRef<Reply> replyTo)
            implements Command {
    }

    public record LastEntitySequence(Header header, String entity, ActorRef<Reply> replyTo) implements Command {
    }

    public record LastGlobalSequence(Header header, ActorRef<Reply> replyTo) implements Command {
    }

    public record Query(Header header, WireRegion region, long afterGlobalSequence, int limit,
                        ActorRef<Reply> replyTo) implements Command {
    }

    public record Verify(Header header, ActorRef<Reply> replyTo) implements Command {
    }

    /**
     * Opens a stream of the partition's events of {@code region}: a guaranteed cursor after
     * {@code afterGlobalSequence} ({@code live}: following appends; otherwise up to the head, then complete), or, with
     * {@code subscription}, a lossy live subscription with a buffer of {@code bufferSize} events.
     */
    public record OpenStream(Header header, WireRegion region, long afterGlobalSequence, boolean live,
                             boolean subscription, int bufferSize, int batch, ActorRef<Reply> replyTo) implements Command {
    }

    /** Every reply names the partition that answered. */
    public sealed interface Reply extends ClusterMessage {
        int partition();
    }

    /** The outcome of each group of an {@link Append}, in order. */
    public record Appended(int partition, List<GroupOutcome> outcomes) implements Reply {
    }

    public record Events(int partition, List<WireEvent> events) implements Reply {
    }

    public record Value(int partition, long value) implements Reply {
    }

    /** A {@link io.batpak.core.VerifyReport} in plain data; {@code breakage} is its text, or null when clean. */
    public record Verified(int partition, long throughGlobalSequence, long events, long entities, int segments,
                           long bytes, String breakage) implements Reply {
    }

    public record StreamOpened(int partition, SourceRef<Wire.WireEvents> events) implements Reply {
    }

    public record Failed(int partition, WireError error) implements Reply {
    }
}
