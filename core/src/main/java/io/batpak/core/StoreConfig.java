package io.batpak.core;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of one store. Every setting has a default in {@code reference.conf} under {@code batpak { }};
 * {@link #builder(Path)} starts from those defaults (or from {@link #builder(Path, Config)} for a given
 * configuration) and each builder method overrides one. Immutable and thread-safe.
 */
public final class StoreConfig {
    /** Smallest allowed segment size. */
    public static final long MIN_SEGMENT_BYTES = 64L * 1024;
    /** Largest allowed segment size (frame offsets are 32-bit). */
    public static final long MAX_SEGMENT_BYTES = 1L << 30;

    private final Path dataDir;
    private final long segmentMaxBytes;
    private final SyncMode syncMode;
    private final int groupCommitMaxEvents;
    private final long groupCommitMaxBytes;
    private final int partitions;
    private final int writerQueueBound;
    private final int maxPayloadBytes;
    private final int maxBatchItems;
    private final long idempotencyWindow;
    private final boolean checkpointOnClose;
    private final boolean repair;
    private final Duration closeTimeout;
    private final PayloadCodec codec;
    private final IoFaultHook ioFaultHook;
    private final String writerDispatcher;
    private final String ioDispatcher;
    private final List<SigningKey> signingKeys;
    private final List<VerifyingKey> verifyingKeys;

    private StoreConfig(Builder b) {
        this.dataDir = b.dataDir;
        this.segmentMaxBytes = b.segmentMaxBytes;
        this.syncMode = b.syncMode;
        this.groupCommitMaxEvents = b.groupCommitMaxEvents;
        this.groupCommitMaxBytes = b.groupCommitMaxBytes;
        this.partitions = b.partitions > 0 ? b.partitions : 2 * Runtime.getRuntime().availableProcessors();
        this.writerQueueBound = b.writerQueueBound;
        this.maxPayloadBytes = b.maxPayloadBytes;
        this.maxBatchItems = b.maxBatchItems;
        this.idempotencyWindow = b.idempotencyWindow;
        this.checkpointOnClose = b.checkpointOnClose;
        this.repair = b.repair;
        this.closeTimeout = b.closeTimeout;
        this.codec = b.codec != null ? b.codec : PayloadCodec.defaultCodec();
        this.ioFaultHook = b.ioFaultHook;
        this.writerDispatcher = b.writerDispatcher;
        this.ioDispatcher = b.ioDispatcher;
        this.signingKeys = b.signingKeys;
        this.verifyingKeys = b.verifyingKeys;
    }

    /** A builder with the defaults of {@code reference.conf} (and application.conf, if present). */
    public static Builder builder(Path dataDir) {
        return builder(dataDir, ConfigFactory.load());
    }

    /** A builder with the settings under {@code batpak} of {@code config}. */
    public static Builder builder(Path dataDir, Config config) {
        return new Builder(Objects.requireNonNull(dataDir, "dataDir"), config.getConfig("batpak"));
    }

    /**
     * Reads every setting, including {@code batpak.data-dir}, from {@code config}.
     *
     * @throws InvalidConfigException when {@code batpak.data-dir} is empty or a value is out of range
     */
    public static StoreConfig fromConfig(Config config) {
        String dir = config.getString("batpak.data-dir");
        if (dir.isBlank()) {
            throw new InvalidConfigException("batpak.data-dir", "must name a directory");
        }
        return builder(Path.of(dir), config).build();
    }

    public Path dataDir() {
        return dataDir;
    }

    public long segmentMaxBytes() {
        return segmentMaxBytes;
    }

    public SyncMode syncMode() {
        return syncMode;
    }

    public int groupCommitMaxEvents() {
        return groupCommitMaxEvents;
    }

    public long groupCommitMaxBytes() {
        return groupCommitMaxBytes;
    }

    /** Number of entity-index partitions (resolved: never 0). */
    public int partitions() {
        return partitions;
    }

    public int writerQueueBound() {
        return writerQueueBound;
    }

    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    public int maxBatchItems() {
        return maxBatchItems;
    }

    public long idempotencyWindow() {
        return idempotencyWindow;
    }

    public boolean checkpointOnClose() {
        return checkpointOnClose;
    }

    public boolean repair() {
        return repair;
    }

    public Duration closeTimeout() {
        return closeTimeout;
    }

    public PayloadCodec codec() {
        return codec;
    }

    /** The I/O fault hook (testing), or null. */
    public IoFaultHook ioFaultHook() {
        return ioFaultHook;
    }

    /** Config path of the writer's dispatcher. */
    public String writerDispatcher() {
        return writerDispatcher;
    }

    /** Config path of the dispatcher for blocking reads done on behalf of actors. */
    public String ioDispatcher() {
        return ioDispatcher;
    }

    /**
     * Keys that sign append receipts, oldest first: the last one signs every receipt the store returns, all of them
     * verify. Empty (the default): receipts are unsigned.
     */
    public List<SigningKey> signingKeys() {
        return signingKeys;
    }

    /** Public keys that only verify receipts (for example of retired signing keys). Empty by default. */
    public List<VerifyingKey> verifyingKeys() {
        return verifyingKeys;
    }

    @Override
    public String toString() {
        return "StoreConfig[dir=" + dataDir + ", segmentMaxBytes=" + segmentMaxBytes + ", sync=" + syncMode
                + ", groupCommit=" + groupCommitMaxEvents + "/" + groupCommitMaxBytes + "B, partitions=" + partitions
                + ", queueBound=" + writerQueueBound + ", maxPayload=" + maxPayloadBytes + ", idempotencyWindow="
                + idempotencyWindow + ", repair=" + repair
                + (signingKeys.isEmpty() ? "" : ", signingKey=" + signingKeys.get(signingKeys.size() - 1).keyId())
                + "]";
    }

    /** Builder for {@link StoreConfig}; {@link #build()} validates every value. Not thread-safe. */
    public static final class Builder {
        private final Path dataDir;
        private long segmentMaxBytes;
        private SyncMode syncMode;
        private int groupCommitMaxEvents;
        private long groupCommitMaxBytes;
        private int partitions;
        private int writerQueueBound;
        private int maxPayloadBytes;
        private int maxBatchItems;
        private long idempotencyWindow;
        private boolean checkpointOnClose;
        private boolean repair;
        private Duration closeTimeout;
        private PayloadCodec codec;
        private IoFaultHook ioFaultHook;
        private String writerDispatcher = "batpak.writer-dispatcher";
        private String ioDispatcher = "batpak.io-dispatcher";
        private List<SigningKey> signingKeys = List.of();
        private List<VerifyingKey> verifyingKeys = List.of();

        private Builder(Path dataDir, Config c) {
            this.dataDir = dataDir;
            this.segmentMaxBytes = c.getBytes("segment-max-bytes");
            String mode = c.getString("sync-mode");
            switch (mode) {
                case "every-commit" -> this.syncMode = SyncMode.EVERY_COMMIT;
                case "none" -> this.syncMode = SyncMode.NONE;
                case "interval" -> this.syncMode = SyncMode.interval(c.getDuration("sync-interval"));
                default -> throw new InvalidConfigException("batpak.sync-mode",
                        "must be every-commit, interval or none, was \"" + mode + "\"");
            }
            this.groupCommitMaxEvents = c.getInt("group-commit.max-events");
            this.groupCommitMaxBytes = c.getBytes("group-commit.max-bytes");
            this.partitions = c.getInt("partitions");
            this.writerQueueBound = c.getInt("writer-queue-bound");
            this.maxPayloadBytes = toInt("batpak.max-payload-bytes", c.getBytes("max-payload-bytes"));
            this.maxBatchItems = c.getInt("max-batch-items");
            this.idempotencyWindow = c.getLong("idempotency-window");
            this.checkpointOnClose = c.getBoolean("checkpoint-on-close");
            this.repair = c.getBoolean("repair");
            this.closeTimeout = c.getDuration("close-timeout");
        }

        private static int toInt(String setting, long v) {
            if (v > Integer.MAX_VALUE) {
                throw new InvalidConfigException(setting, "must be below 2 GiB, was " + v);
            }
            return (int) v;
        }

        public Builder segmentMaxBytes(long bytes) {
            this.segmentMaxBytes = bytes;
            return this;
        }

        public Builder syncMode(SyncMode mode) {
            this.syncMode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        public Builder groupCommit(int maxEvents, long maxBytes) {
            this.groupCommitMaxEvents = maxEvents;
            this.groupCommitMaxBytes = maxBytes;
            return this;
        }

        /** Number of entity-index partitions; 0 = 2 x available processors. */
        public Builder partitions(int partitions) {
            this.partitions = partitions;
            return this;
        }

        public Builder writerQueueBound(int bound) {
            this.writerQueueBound = bound;
            return this;
        }

        public Builder maxPayloadBytes(int bytes) {
            this.maxPayloadBytes = bytes;
            return this;
        }

        public Builder maxBatchItems(int items) {
            this.maxBatchItems = items;
            return this;
        }

        public Builder idempotencyWindow(long globalSequences) {
            this.idempotencyWindow = globalSequences;
            return this;
        }

        public Builder checkpointOnClose(boolean on) {
            this.checkpointOnClose = on;
            return this;
        }

        public Builder repair(boolean on) {
            this.repair = on;
            return this;
        }

        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** The codec (Jackson CBOR ObjectMapper) used for object payloads. */
        public Builder codec(PayloadCodec codec) {
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        /** Injects I/O faults into segment writes; for tests of failure handling. */
        public Builder ioFaultHook(IoFaultHook hook) {
            this.ioFaultHook = hook;
            return this;
        }

        /** Config path of the dispatcher the WriterActor runs on. */
        public Builder writerDispatcher(String configPath) {
            this.writerDispatcher = Objects.requireNonNull(configPath, "configPath");
            return this;
        }

        /** Config path of the dispatcher for blocking reads done on behalf of actors. */
        public Builder ioDispatcher(String configPath) {
            this.ioDispatcher = Objects.requireNonNull(configPath, "configPath");
            return this;
        }

        /**
         * Signs every append receipt with Ed25519: the last key of the list (the newest) signs, all of them verify
         * receipts, so a key can be rotated by appending a new one and keeping the old ones. An empty list (the
         * default) turns signing off.
         */
        public Builder signingKeys(List<SigningKey> keys) {
            this.signingKeys = List.copyOf(Objects.requireNonNull(keys, "keys"));
            return this;
        }

        /** Public keys whose receipt signatures are accepted but which never sign (for example retired keys). */
        public Builder verifyingKeys(List<VerifyingKey> keys) {
            this.verifyingKeys = List.copyOf(Objects.requireNonNull(keys, "keys"));
            return this;
        }

        /**
         * @throws InvalidConfigException naming the first setting out of range
         */
        public StoreConfig build() {
            if (segmentMaxBytes < MIN_SEGMENT_BYTES || segmentMaxBytes > MAX_SEGMENT_BYTES) {
                throw new InvalidConfigException("batpak.segment-max-bytes",
                        "must be in " + MIN_SEGMENT_BYTES + ".." + MAX_SEGMENT_BYTES + ", was " + segmentMaxBytes);
            }
            if (groupCommitMaxEvents < 1) {
                throw new InvalidConfigException("batpak.group-commit.max-events", "must be >= 1, was " + groupCommitMaxEvents);
            }
            if (groupCommitMaxBytes < 1) {
                throw new InvalidConfigException("batpak.group-commit.max-bytes", "must be >= 1, was " + groupCommitMaxBytes);
            }
            if (partitions < 0) {
                throw new InvalidConfigException("batpak.partitions", "must be >= 0, was " + partitions);
            }
            if (writerQueueBound < 1) {
                throw new InvalidConfigException("batpak.writer-queue-bound", "must be >= 1, was " + writerQueueBound);
            }
            if (maxPayloadBytes < 0) {
                throw new InvalidConfigException("batpak.max-payload-bytes", "must be >= 0, was " + maxPayloadBytes);
            }
            // One frame (header + two 1 KiB names + payload) must fit into an empty segment.
            long largestFrame = (long) maxPayloadBytes + 8 * 1024;
            if (largestFrame > segmentMaxBytes - 4096) {
                throw new InvalidConfigException("batpak.max-payload-bytes",
                        "a payload of " + maxPayloadBytes + " bytes cannot fit a segment of " + segmentMaxBytes + " bytes");
            }
            if (maxBatchItems < 1) {
                throw new InvalidConfigException("batpak.max-batch-items", "must be >= 1, was " + maxBatchItems);
            }
            if (idempotencyWindow < 0) {
                throw new InvalidConfigException("batpak.idempotency-window", "must be >= 0, was " + idempotencyWindow);
            }
            if (closeTimeout.isNegative() || closeTimeout.isZero()) {
                throw new InvalidConfigException("batpak.close-timeout", "must be positive, was " + closeTimeout);
            }
            Set<KeyId> ids = new HashSet<>();
            for (SigningKey k : signingKeys) {
                if (!ids.add(k.keyId())) {
                    throw new InvalidConfigException("signingKeys", "key " + k.keyId() + " is listed twice");
                }
            }
            return new StoreConfig(this);
        }
    }
}
