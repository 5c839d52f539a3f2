package io.batpak.streams;

import com.typesafe.config.Config;
import io.batpak.core.error.InvalidInputException;
import org.apache.pekko.actor.ClassicActorSystemProvider;

/**
 * Settings of a reactor: its cursor (batch size, start position when it has no checkpoint yet), how its
 * checkpoint commits are batched and how many source events' reactions are appended concurrently. Immutable;
 * defaults from {@code batpak.streams}.
 */
public final class ReactorSettings {
    private final CursorSettings cursor;
    private final CommitterSettings committer;
    private final int parallelism;

    private ReactorSettings(CursorSettings cursor, CommitterSettings committer, int parallelism) {
        this.cursor = InvalidInputException.requireArgument(cursor, "cursor");
        this.committer = InvalidInputException.requireArgument(committer, "committer");
        this.parallelism = StreamsConfig.positive("reactor.parallelism", parallelism);
    }

    public static ReactorSettings create(ClassicActorSystemProvider system) {
        InvalidInputException.requireArgument(system, "system");
        return fromConfig(StreamsConfig.of(system));
    }

    public static ReactorSettings defaults() {
        return fromConfig(StreamsConfig.defaults());
    }

    /** Settings from a {@code batpak.streams} config block. */
    public static ReactorSettings fromConfig(Config streams) {
        InvalidInputException.requireArgument(streams, "streams");
        return new ReactorSettings(CursorSettings.fromConfig(streams), CommitterSettings.fromConfig(streams),
                streams.getInt("reactor.parallelism"));
    }

    /** The cursor's settings; its checkpoint id is replaced by the reactor's ({@code reactor.<reactorId>}). */
    public ReactorSettings withCursor(CursorSettings cursor) {
        return new ReactorSettings(cursor, committer, parallelism);
    }

    public ReactorSettings withCommitter(CommitterSettings committer) {
        return new ReactorSettings(cursor, committer, parallelism);
    }

    /**
     * Source events whose reactions are appended concurrently. With more than 1, reactions of consecutive source
     * events may be stored in a different order than their sources (each source event's own reactions stay one
     * atomic batch in order).
     */
    public ReactorSettings withParallelism(int parallelism) {
        return new ReactorSettings(cursor, committer, parallelism);
    }

    public CursorSettings cursor() {
        return cursor;
    }

    public CommitterSettings committer() {
        return committer;
    }

    public int parallelism() {
        return parallelism;
    }

    @Override
    public String toString() {
        return "ReactorSettings[" + cursor + ", " + committer + ", parallelism=" + parallelism + "]";
    }
}
