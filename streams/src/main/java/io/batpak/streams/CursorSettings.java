package io.batpak.streams;

import com.typesafe.config.Config;
import io.batpak.core.error.InvalidInputException;
import io.batpak.core.internal.cursor.CheckpointStore;
import java.util.Optional;
import org.apache.pekko.actor.ClassicActorSystemProvider;

/**
 * Settings of a cursor: where it starts, whether it resumes from a durable checkpoint, how many events it reads
 * at a time and whether it stops at the head. Immutable; defaults from {@code batpak.streams.cursor}.
 *
 * <p><b>Start.</b> Without a checkpoint the cursor starts after {@link #startAfter()} (-1, the beginning, by
 * default). With a checkpoint id it starts after the checkpoint's saved position when one exists, else after
 * {@link #startAfter()}.
 */
public final class CursorSettings {
    private final int batchSize;
    private final long startAfter;
    private final String checkpointId;
    private final boolean completeAtHead;
    private final double sequentialReadDensity;

    private CursorSettings(int batchSize, long startAfter, String checkpointId, boolean completeAtHead,
                           double sequentialReadDensity) {
        this.batchSize = StreamsConfig.positive("cursor.batch-size", batchSize);
        this.startAfter = startAfter;
        this.checkpointId = checkpointId == null ? null : CheckpointStore.validateId(checkpointId);
        this.completeAtHead = completeAtHead;
        if (!(sequentialReadDensity >= 0 && sequentialReadDensity <= 1)) {
            throw new io.batpak.core.error.InvalidConfigException(StreamsConfig.ROOT + ".cursor.sequential-read-density",
                    "must be between 0 and 1, was " + sequentialReadDensity);
        }
        this.sequentialReadDensity = sequentialReadDensity;
    }

    /** Settings from {@code batpak.streams.cursor} of the system's configuration. */
    public static CursorSettings create(ClassicActorSystemProvider system) {
        InvalidInputException.requireArgument(system, "system");
        return fromConfig(StreamsConfig.of(system));
    }

    /** Settings from {@code batpak.streams.cursor} of {@code ConfigFactory.load()}. */
    public static CursorSettings defaults() {
        return fromConfig(StreamsConfig.defaults());
    }

    /** Settings from a {@code batpak.streams} config block. */
    public static CursorSettings fromConfig(Config streams) {
        InvalidInputException.requireArgument(streams, "streams");
        return new CursorSettings(streams.getInt("cursor.batch-size"), -1, null, false,
                streams.getDouble("cursor.sequential-read-density"));
    }

    /**
     * Defaults of {@code ConfigFactory.load()} with a durable checkpoint: {@code defaults().withCheckpointId(id)}.
     * With an ActorSystem at hand prefer {@link #checkpointId(ClassicActorSystemProvider, String)}, which reads the
     * system's configuration.
     */
    public static CursorSettings checkpointId(String id) {
        InvalidInputException.requireArgument(id, "id");
        return defaults().withCheckpointId(id);
    }

    /** The system's settings with a durable checkpoint: {@code create(system).withCheckpointId(id)}. */
    public static CursorSettings checkpointId(ClassicActorSystemProvider system, String id) {
        InvalidInputException.requireArgument(id, "id");
        return create(system).withCheckpointId(id);
    }

    /** Events read at a time; the most the cursor holds in memory. */
    public CursorSettings withBatchSize(int batchSize) {
        return new CursorSettings(batchSize, startAfter, checkpointId, completeAtHead, sequentialReadDensity);
    }

    /** Start at the first event (the default). */
    public CursorSettings fromBeginning() {
        return new CursorSettings(batchSize, -1, checkpointId, completeAtHead, sequentialReadDensity);
    }

    /**
     * Start after the event with this global sequence (-1: the beginning).
     *
     * @throws InvalidInputException when {@code globalSequence} is below -1
     */
    public CursorSettings afterSequence(long globalSequence) {
        InvalidInputException.requireRange(globalSequence, -1, Long.MAX_VALUE, "globalSequence");
        return new CursorSettings(batchSize, globalSequence, checkpointId, completeAtHead, sequentialReadDensity);
    }

    /**
     * Resume from (and commit to) the durable checkpoint {@code <dataDir>/cursors/<id>.ckpt}. Ids are 1..128 of
     * {@code [A-Za-z0-9._-]}, not starting with a dot.
     *
     * @throws io.batpak.core.error.InvalidCheckpointIdException when the id is not valid
     */
    public CursorSettings withCheckpointId(String id) {
        InvalidInputException.requireArgument(id, "id");
        return new CursorSettings(batchSize, startAfter, id, completeAtHead, sequentialReadDensity);
    }

    /**
     * With {@code true} the cursor completes once it has emitted every matching event visible when it started
     * (a replay); by default it follows live appends until cancelled or the store closes.
     */
    public CursorSettings withCompleteAtHead(boolean completeAtHead) {
        return new CursorSettings(batchSize, startAfter, checkpointId, completeAtHead, sequentialReadDensity);
    }

    /**
     * When a cursor catches up on a dense region, it reads the segment files sequentially
     * ({@link io.batpak.core.StoreReader#replay}) instead of one index lookup and read per event: a full page whose
     * events make up at least {@code density} of the global sequences it spans (and with at least another page
     * behind the head) switches the cursor to sequential reads until it reaches the head seen at the switch. Order,
     * checks and delivery are the same either way; {@code 0} turns it off, {@code 1} takes only regions that are
     * every event.
     *
     * @throws io.batpak.core.error.InvalidConfigException when {@code density} is not between 0 and 1
     */
    public CursorSettings withSequentialReadDensity(double density) {
        return new CursorSettings(batchSize, startAfter, checkpointId, completeAtHead, density);
    }

    /** See {@link #withSequentialReadDensity(double)}; 0 when off. */
    public double sequentialReadDensity() {
        return sequentialReadDensity;
    }

    public int batchSize() {
        return batchSize;
    }

    public long startAfter() {
        return startAfter;
    }

    public Optional<String> checkpointId() {
        return Optional.ofNullable(checkpointId);
    }

    public boolean completeAtHead() {
        return completeAtHead;
    }

    @Override
    public String toString() {
        return "CursorSettings[batchSize=" + batchSize + ", startAfter=" + startAfter + ", checkpointId="
                + checkpointId + ", completeAtHead=" + completeAtHead + ", sequentialReadDensity=" + sequentialReadDensity
                + "]";
    }
}
