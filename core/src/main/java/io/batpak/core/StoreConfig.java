package io.batpak.core;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.batpak.core.error.EventTypeConflictException;
import io.batpak.core.error.InvalidConfigException;
import io.batpak.core.error.InvalidEventTypeException;
import io.batpak.core.error.InvalidInputException;
import io.batpak.core.internal.UnknownSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;

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
    /** Largest number of entity-index partitions (each is an actor). */
    public static final int MAX_PARTITIONS = 1024;
    /** Largest group commit, in events. */
    public static final int MAX_GROUP_COMMIT_EVENTS = 1_000_000;
    /** Largest bound on appends in flight. */
    public static final int MAX_QUEUE_BOUND = 16_777_216;
    /** Largest atomic batch, in events. */
    public static final int MAX_BATCH_ITEMS = 1_000_000;
    /** Longest sync interval and checkpoint interval. */
    public static final Duration MAX_TIMEOUT = Duration.ofDays(1);

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
    private final long checkpointIntervalEvents;
    private final Duration checkpointInterval;
    private final PayloadCodec codec;
    private final IoFaultHook ioFaultHook;
    private final EventTypeRegistry eventTypes;
    private final List<Gate> gates;
    private final boolean recordDenials;
    private final List<SigningKey> signingKeys;
    private final List<VerifyingKey> verifyingKeys;
    private final Path subjectKeysDir;

    /** Name of the default subject key directory under the data directory. */
    public static final String SUBJECT_KEYS_DIRECTORY = "subject-keys";

    private StoreConfig(Builder b) {
        this.subjectKeysDir = b.subjectKeysDir != null ? b.subjectKeysDir : b.dataDir.resolve(SUBJECT_KEYS_DIRECTORY);
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
        this.checkpointIntervalEvents = b.checkpointIntervalEvents;
        this.checkpointInterval = b.checkpointInterval;
        this.codec = b.codec != null ? b.codec : PayloadCodec.defaultCodec();
        this.ioFaultHook = b.ioFaultHook;
        this.eventTypes = b.eventTypes.copy();
        this.gates = List.copyOf(b.gates);
        this.recordDenials = b.recordDenials;
        this.signingKeys = b.signingKeys;
        this.verifyingKeys = b.verifyingKeys;
    }

    /** A builder with the defaults of {@code reference.conf} (and application.conf, if present). */
    public static Builder builder(Path dataDir) {
        return builder(dataDir, ConfigFactory.load());
    }

    /** A builder with the settings under {@code batpak} of {@code config}. */
    public static Builder builder(Path dataDir, Config config) {
        InvalidInputException.requireArgument(dataDir, "dataDir");
        InvalidInputException.requireArgument(config, "config");
        return new Builder(dataDir, setting(config, "batpak", "batpak", Config::getConfig));
    }

    /**
     * Reads every setting, including {@code batpak.data-dir}, from {@code config}.
     *
     * @throws InvalidConfigException when {@code batpak.data-dir} is empty or a value is out of range
     */
    public static StoreConfig fromConfig(Config config) {
        InvalidInputException.requireArgument(config, "config");
        String dir = setting(config, "batpak.data-dir", "batpak.data-dir", Config::getString);
        if (dir.isBlank()) {
            throw new InvalidConfigException("batpak.data-dir", "must name a directory");
        }
        return builder(Path.of(dir), config).build();
    }

    /** Reads one setting at {@code path} of {@code c}; a missing or wrongly typed value is refused naming {@code name}. */
    private static <T> T setting(Config c, String path, String name, BiFunction<Config, String, T> getter) {
        try {
            return getter.apply(c, path);
        } catch (ConfigException e) {
            throw new InvalidConfigException(name, e.getMessage());
        }
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

    /**
     * An index checkpoint is written (off the writer's thread, while appends continue) once this many events were
     * committed since the last one, so an open after a crash scans at most about this many events. 0: only
     * {@link #checkpointInterval()} and close write checkpoints.
     */
    public long checkpointIntervalEvents() {
        return checkpointIntervalEvents;
    }

    /**
     * An index checkpoint is written at least this often while events are committed. {@link Duration#ZERO}: only
     * {@link #checkpointIntervalEvents()} and close write checkpoints.
     */
    public Duration checkpointInterval() {
        return checkpointInterval;
    }

    public PayloadCodec codec() {
        return codec;
    }

    /** The I/O fault hook (testing); {@link IoFaultHook#NONE} unless a test set one. */
    public IoFaultHook ioFaultHook() {
        return ioFaultHook == null ? IoFaultHook.NONE : ioFaultHook;
    }

    /**
     * The typed event classes and upcasters of stores opened with this configuration: those registered with the
     * builder, plus classes registered on first use by a typed append or read (so this registry, unlike the rest
     * of the configuration, may grow; it is thread-safe).
     */
    public EventTypeRegistry eventTypes() {
        return eventTypes;
    }

    /** The gates evaluated, in this order, before each append is committed (see {@link Gate}). */
    public List<Gate> gates() {
        return gates;
    }

    /** Whether a gate denial is recorded as a {@link EventKind#SYSTEM_DENIAL} event on the denied entity. */
    public boolean recordDenials() {
        return recordDenials;
    }

    /**
     * Keys that sign append receipts, oldest first: the last one signs every receipt the store returns, all of them
     * verify. Empty (the default): receipts are unsigned.
     */
    public List<SigningKey> signingKeys() {
        return signingKeys;
    }

    /** Public keys that only verify receipts (for example of retired signing keys). Empty by default. */
    /**
     * The directory of the data subjects' keys ({@code batpak.subject-keys.dir}; by default
     * {@code <data-dir>/subject-keys}). Backups and exports never include it.
     */
    public Path subjectKeysDir() {
        return subjectKeysDir;
    }

    public List<VerifyingKey> verifyingKeys() {
        return verifyingKeys;
    }

    @Override
    public String toString() {
        return "StoreConfig[dir=" + dataDir + ", segmentMaxBytes=" + segmentMaxBytes + ", sync=" + syncMode
                + ", groupCommit=" + groupCommitMaxEvents + "/" + groupCommitMaxBytes + "B, partitions=" + partitions
                + ", queueBound=" + writerQueueBound + ", maxPayload=" + maxPayloadBytes + ", idempotencyWindow="
                + idempotencyWindow + ", repair=" + repair + ", eventTypes=" + eventTypes.registrations().size()
                + ", gates=" + gates.size() + ", recordDenials=" + recordDenials
                + (signingKeys.isEmpty() ? "" : ", signingKey=" + signingKeys.get(signingKeys.size() - 1).keyId()) + "]";
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
        private long checkpointIntervalEvents;
        private Duration checkpointInterval;
        private PayloadCodec codec;
        private IoFaultHook ioFaultHook;
        private final EventTypeRegistry eventTypes = new EventTypeRegistry();
        private final List<Gate> gates = new ArrayList<>();
        private boolean recordDenials;
        private List<SigningKey> signingKeys = List.of();
        private List<VerifyingKey> verifyingKeys = List.of();
        private Path subjectKeysDir;

        private Builder(Path dataDir, Config c) {
            this.dataDir = dataDir;
            UnknownSettings.warn(c);
            this.segmentMaxBytes = read(c, "segment-max-bytes", Config::getBytes);
            String mode = read(c, "sync-mode", Config::getString);
            switch (mode) {
                case "every-commit" -> this.syncMode = SyncMode.EVERY_COMMIT;
                case "none" -> this.syncMode = SyncMode.NONE;
                case "interval" -> this.syncMode = SyncMode.interval(read(c, "sync-interval", Config::getDuration));
                default -> throw new InvalidConfigException("batpak.sync-mode",
                        "must be every-commit, interval or none, was \"" + mode + "\"");
            }
            this.groupCommitMaxEvents = read(c, "group-commit.max-events", Config::getInt);
            this.groupCommitMaxBytes = read(c, "group-commit.max-bytes", Config::getBytes);
            this.partitions = read(c, "partitions", Config::getInt);
            this.writerQueueBound = read(c, "writer-queue-bound", Config::getInt);
            this.maxPayloadBytes = toInt("batpak.max-payload-bytes", read(c, "max-payload-bytes", Config::getBytes));
            this.maxBatchItems = read(c, "max-batch-items", Config::getInt);
            this.idempotencyWindow = read(c, "idempotency-window", Config::getLong);
            this.checkpointOnClose = read(c, "checkpoint-on-close", Config::getBoolean);
            this.repair = read(c, "repair", Config::getBoolean);
            this.checkpointIntervalEvents = read(c, "checkpoint-interval-events", Config::getLong);
            this.checkpointInterval = read(c, "checkpoint-interval", Config::getDuration);
            this.recordDenials = c.hasPath("gates.record-denials") && read(c, "gates.record-denials", Config::getBoolean);
            String keys = c.hasPath("subject-keys.dir") ? read(c, "subject-keys.dir", Config::getString) : "";
            this.subjectKeysDir = keys.isBlank() ? null : Path.of(keys);
        }

        /** Reads the setting {@code batpak.<path>} from the {@code batpak} block {@code c}. */
        private static <T> T read(Config c, String path, BiFunction<Config, String, T> getter) {
            return setting(c, path, "batpak." + path, getter);
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
            this.syncMode = InvalidInputException.requireArgument(mode, "mode");
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

        /** Events between periodic index checkpoints; 0 = off. See {@link StoreConfig#checkpointIntervalEvents()}. */
        public Builder checkpointIntervalEvents(long events) {
            this.checkpointIntervalEvents = events;
            return this;
        }

        /** Longest time between periodic index checkpoints; zero = off. See {@link StoreConfig#checkpointInterval()}. */
        public Builder checkpointInterval(Duration interval) {
            this.checkpointInterval = InvalidInputException.requireArgument(interval, "interval");
            return this;
        }

        /** The codec (Jackson CBOR ObjectMapper) used for object payloads. */
        public Builder codec(PayloadCodec codec) {
            this.codec = InvalidInputException.requireArgument(codec, "codec");
            return this;
        }

        /** Injects I/O faults into the store's file I/O; for tests of failure handling (null: none). */
        public Builder ioFaultHook(IoFaultHook hook) {
            this.ioFaultHook = hook;
            return this;
        }

        /**
         * Registers a typed event class ({@link EventType}) now, so conflicts show here rather than on first use.
         *
         * @throws InvalidEventTypeException when the class has no valid {@link EventType} annotation
         * @throws EventTypeConflictException when another registered class has the same kind
         */
        public Builder eventType(Class<?> type) {
            eventTypes.register(type);
            return this;
        }

        /** Registers several typed event classes; see {@link #eventType(Class)}. */
        public Builder eventTypes(Class<?>... types) {
            InvalidInputException.requireArgument(types, "types");
            for (Class<?> t : types) {
                eventType(t);
            }
            return this;
        }

        /**
         * Registers {@code type} and the upcaster turning its payload version {@code fromVersion} into
         * {@code fromVersion + 1}.
         *
         * @throws InvalidEventTypeException when {@code fromVersion} is not in 1..(type's version - 1), or the step
         *                                   is registered already
         */
        public Builder upcaster(Class<?> type, int fromVersion, Upcaster upcaster) {
            eventTypes.registerUpcaster(type, fromVersion, upcaster);
            return this;
        }

        /**
         * Registers the upcaster turning version {@code fromVersion} of {@code kind} into {@code fromVersion + 1}
         * (for a kind whose class is registered later or on first use).
         */
        public Builder upcaster(EventKind kind, int fromVersion, Upcaster upcaster) {
            eventTypes.registerUpcaster(kind, fromVersion, upcaster);
            return this;
        }

        /** Adds a gate after those already configured. */
        public Builder gate(Gate gate) {
            gates.add(InvalidInputException.requireArgument(gate, "gate"));
            return this;
        }

        /** Replaces the configured gates with {@code gates}, evaluated in list order. */
        public Builder gates(List<Gate> gates) {
            InvalidInputException.requireArgument(gates, "gates");
            this.gates.clear();
            for (Gate g : gates) {
                gate(g);
            }
            return this;
        }

        /**
         * Whether a gate denial is recorded as a {@link EventKind#SYSTEM_DENIAL} event on the denied append's
         * entity ({@code batpak.gates.record-denials}, default off).
         */
        public Builder recordDenials(boolean on) {
            this.recordDenials = on;
            return this;
        }

        /**
         * Signs every append receipt with Ed25519: the last key of the list (the newest) signs, all of them verify
         * receipts, so a key can be rotated by appending a new one and keeping the old ones. An empty list (the
         * default) turns signing off.
         */
        public Builder signingKeys(List<SigningKey> keys) {
            this.signingKeys = List.copyOf(InvalidInputException.requireArgument(keys, "keys"));
            return this;
        }

        /**
         * The directory of the data subjects' keys (null: {@code <data-dir>/subject-keys}, the default). A copy of
         * this directory can decrypt every payload sealed with its keys, so keep it where destroying a key destroys
         * every copy of it.
         */
        public Builder subjectKeysDir(Path dir) {
            this.subjectKeysDir = dir;
            return this;
        }

        /** Public keys whose receipt signatures are accepted but which never sign (for example retired keys). */
        public Builder verifyingKeys(List<VerifyingKey> keys) {
            this.verifyingKeys = List.copyOf(InvalidInputException.requireArgument(keys, "keys"));
            return this;
        }

        private static void range(String setting, long value, long min, long max) {
            if (value < min || value > max) {
                throw new InvalidConfigException(setting, "must be in " + min + ".." + max + ", was " + value);
            }
        }

        /**
         * Validates every value against its range (documented in {@code reference.conf}).
         *
         * @throws InvalidConfigException naming the first setting out of range
         */
        public StoreConfig build() {
            if (segmentMaxBytes < MIN_SEGMENT_BYTES || segmentMaxBytes > MAX_SEGMENT_BYTES) {
                throw new InvalidConfigException("batpak.segment-max-bytes",
                        "must be in " + MIN_SEGMENT_BYTES + ".." + MAX_SEGMENT_BYTES + ", was " + segmentMaxBytes);
            }
            range("batpak.group-commit.max-events", groupCommitMaxEvents, 1, MAX_GROUP_COMMIT_EVENTS);
            range("batpak.group-commit.max-bytes", groupCommitMaxBytes, 1, MAX_SEGMENT_BYTES);
            range("batpak.partitions", partitions, 0, MAX_PARTITIONS);
            range("batpak.writer-queue-bound", writerQueueBound, 1, MAX_QUEUE_BOUND);
            range("batpak.checkpoint-interval-events", checkpointIntervalEvents, 0, Long.MAX_VALUE);
            range("batpak.max-payload-bytes", maxPayloadBytes, 0, MAX_SEGMENT_BYTES);
            // One frame (224-byte header, two 1 KiB names, 16 tags of 256 bytes, payload) must fit an empty segment.
            long largestFrame = (long) maxPayloadBytes + 8 * 1024;
            if (largestFrame > segmentMaxBytes - 4096) {
                throw new InvalidConfigException("batpak.max-payload-bytes",
                        "a payload of " + maxPayloadBytes + " bytes cannot fit a segment of " + segmentMaxBytes + " bytes");
            }
            range("batpak.max-batch-items", maxBatchItems, 1, MAX_BATCH_ITEMS);
            range("batpak.idempotency-window", idempotencyWindow, 0, Integer.MAX_VALUE);
            if (checkpointInterval.isNegative() || checkpointInterval.compareTo(MAX_TIMEOUT) > 0) {
                throw new InvalidConfigException("batpak.checkpoint-interval", "must be in [0 s, 1 d], was "
                        + checkpointInterval);
            }
            if (syncMode.kind() == SyncMode.Kind.INTERVAL && syncMode.interval().compareTo(MAX_TIMEOUT) > 0) {
                throw new InvalidConfigException("batpak.sync-interval", "must be in (0 s, 1 d], was "
                        + syncMode.interval());
            }
            for (Gate g : gates) {
                String name = g.name();
                if (name == null || name.isBlank()) {
                    throw new InvalidConfigException("batpak.gates", "gate " + g.getClass().getName() + " has no name");
                }
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
