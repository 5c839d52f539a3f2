package io.batpak.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.batpak.core.error.InvalidConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.pekko.actor.ClassicActorSystemProvider;

/**
 * The settings of a node's {@link BatpakCluster}, read from {@code batpak.cluster} (see {@code reference.conf}
 * for each). Immutable; the {@code with...} methods return a copy.
 */
public final class ClusterSettings {
    private final int partitions;
    private final SortedSet<Integer> ownedPartitions;
    private final Path dir;
    private final Duration requestTimeout;
    private final String entityType;
    private final String role;
    private final Duration resumeMinBackoff;
    private final Duration resumeMaxBackoff;
    private final double resumeRandomFactor;
    private final int remoteStreamBatch;
    private final int remoteAppendBatch;

    private ClusterSettings(int partitions, SortedSet<Integer> ownedPartitions, Path dir, Duration requestTimeout,
                            String entityType, String role, Duration resumeMinBackoff, Duration resumeMaxBackoff,
                            double resumeRandomFactor, int remoteStreamBatch, int remoteAppendBatch) {
        try {
            Partitioning.checkCount(partitions);
        } catch (RuntimeException e) {
            throw new InvalidConfigException("batpak.cluster.partitions", e.getMessage());
        }
        for (int p : ownedPartitions) {
            if (p < 0 || p >= partitions) {
                throw new InvalidConfigException("batpak.cluster.owned-partitions", "partition " + p
                        + " is out of 0.." + (partitions - 1));
            }
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new InvalidConfigException("batpak.cluster.request-timeout", "must be positive, was " + requestTimeout);
        }
        if (entityType.isBlank()) {
            throw new InvalidConfigException("batpak.cluster.entity-type", "must not be empty");
        }
        if (resumeMinBackoff.isNegative() || resumeMinBackoff.isZero() || resumeMaxBackoff.compareTo(resumeMinBackoff) < 0) {
            throw new InvalidConfigException("batpak.cluster.resume", "min-backoff must be positive and at most max-backoff");
        }
        if (resumeRandomFactor < 0) {
            throw new InvalidConfigException("batpak.cluster.resume.random-factor", "must not be negative");
        }
        this.partitions = partitions;
        this.ownedPartitions = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(ownedPartitions));
        this.dir = dir;
        this.requestTimeout = requestTimeout;
        this.entityType = entityType;
        this.role = role;
        this.resumeMinBackoff = resumeMinBackoff;
        this.resumeMaxBackoff = resumeMaxBackoff;
        this.resumeRandomFactor = resumeRandomFactor;
        if (remoteStreamBatch < 1) {
            throw new InvalidConfigException("batpak.cluster.remote-stream-batch", "must be at least 1, was "
                    + remoteStreamBatch);
        }
        this.remoteStreamBatch = remoteStreamBatch;
        if (remoteAppendBatch < 1) {
            throw new InvalidConfigException("batpak.cluster.remote-append-batch", "must be at least 1, was "
                    + remoteAppendBatch);
        }
        this.remoteAppendBatch = remoteAppendBatch;
    }

    /** The settings of {@code system}'s configuration. */
    public static ClusterSettings create(ClassicActorSystemProvider system) {
        return fromConfig(system.classicSystem().settings().config().getConfig("batpak.cluster"));
    }

    /** The settings of {@code reference.conf} alone. */
    public static ClusterSettings defaults() {
        return fromConfig(ConfigFactory.defaultReference().getConfig("batpak.cluster"));
    }

    /**
     * Reads a {@code batpak.cluster} section.
     *
     * @throws InvalidConfigException naming the first missing or invalid setting
     */
    public static ClusterSettings fromConfig(Config c) {
        try {
            List<Integer> owned = c.getIntList("owned-partitions");
            return new ClusterSettings(c.getInt("partitions"), new TreeSet<>(owned), Path.of(c.getString("dir")),
                    c.getDuration("request-timeout"), c.getString("entity-type"), c.getString("role"),
                    c.getDuration("resume.min-backoff"), c.getDuration("resume.max-backoff"),
                    c.getDouble("resume.random-factor"), c.getInt("remote-stream-batch"),
                    c.getInt("remote-append-batch"));
        } catch (ConfigException e) {
            throw new InvalidConfigException("batpak.cluster", e.getMessage());
        }
    }

    public ClusterSettings withPartitions(int partitions) {
        return new ClusterSettings(partitions, ownedPartitions, dir, requestTimeout, entityType, role,
                resumeMinBackoff, resumeMaxBackoff, resumeRandomFactor, remoteStreamBatch, remoteAppendBatch);
    }

    public ClusterSettings withOwnedPartitions(java.util.Collection<Integer> owned) {
        return new ClusterSettings(partitions, new TreeSet<>(owned), dir, requestTimeout, entityType, role,
                resumeMinBackoff, resumeMaxBackoff, resumeRandomFactor, remoteStreamBatch, remoteAppendBatch);
    }

    public ClusterSettings withDir(Path dir) {
        return new ClusterSettings(partitions, ownedPartitions, dir, requestTimeout, entityType, role,
                resumeMinBackoff, resumeMaxBackoff, resumeRandomFactor, remoteStreamBatch, remoteAppendBatch);
    }

    public ClusterSettings withRequestTimeout(Duration requestTimeout) {
        return new ClusterSettings(partitions, ownedPartitions, dir, requestTimeout, entityType, role,
                resumeMinBackoff, resumeMaxBackoff, resumeRandomFactor, remoteStreamBatch, remoteAppendBatch);
    }

    public int partitions() {
        return partitions;
    }

    /** The partitions this node's configuration lists, ascending. */
    public SortedSet<Integer> ownedPartitions() {
        return ownedPartitions;
    }

    public Path dir() {
        return dir;
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    public String entityType() {
        return entityType;
    }

    /** The role of the nodes that host partitions; empty: every node. */
    public String role() {
        return role;
    }

    public Duration resumeMinBackoff() {
        return resumeMinBackoff;
    }

    public Duration resumeMaxBackoff() {
        return resumeMaxBackoff;
    }

    public double resumeRandomFactor() {
        return resumeRandomFactor;
    }

    /** The most appends (atomic groups) one request to a remote partition carries. */
    public int remoteAppendBatch() {
        return remoteAppendBatch;
    }

    /** The most events one element of a remote stream carries. */
    public int remoteStreamBatch() {
        return remoteStreamBatch;
    }

    @Override
    public String toString() {
        return "ClusterSettings[partitions=" + partitions + ", owned=" + ownedPartitions + ", dir=" + dir
                + ", requestTimeout=" + requestTimeout + "]";
    }
}
