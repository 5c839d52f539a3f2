package io.batpak.streams;

import io.batpak.core.error.InvalidInputException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Batched commits of {@link CommittableOffset}s, in the style of the Pekko connectors' committers. Put it after
 * the processing of each event, keeping the cursor's order (e.g. {@code mapAsync}, not {@code mapAsyncUnordered}):
 * committing an offset marks every earlier event of its cursor processed.
 *
 * <p>Per batch, only the highest offset of each cursor is written (one atomic file replace and force). The flow
 * emits once the batch is durable and backpressures while a commit is written; a failed commit fails the stream
 * with its error ({@link io.batpak.core.error.CheckpointIoException}). When the stream completes, the last partial batch
 * is committed first.
 */
public final class Committer {
    private Committer() {
    }

    /** Commits in batches; emits {@link Done} per durable batch. */
    public static Flow<CommittableOffset, Done, NotUsed> flow(CommitterSettings settings) {
        InvalidInputException.requireArgument(settings, "settings");
        return Flow.<CommittableOffset>create()
                .groupedWithin(settings.maxBatch(), settings.maxInterval())
                .mapAsync(1, Committer::commitBatch);
    }

    /** Commits in batches; the materialized stage completes when the last batch is durable. */
    public static Sink<CommittableOffset, CompletionStage<Done>> sink(CommitterSettings settings) {
        InvalidInputException.requireArgument(settings, "settings");
        return flow(settings).toMat(Sink.ignore(), Keep.right());
    }

    private static CompletionStage<Done> commitBatch(List<CommittableOffset> batch) {
        Map<CursorControl, Long> highest = new IdentityHashMap<>();
        for (CommittableOffset o : batch) {
            highest.merge(o.cursor(), o.globalSequence(), Math::max);
        }
        List<CompletableFuture<Done>> commits = new ArrayList<>(highest.size());
        for (Map.Entry<CursorControl, Long> e : highest.entrySet()) {
            commits.add(e.getKey().commit(e.getValue()).toCompletableFuture());
        }
        return Futures.unwrapped(CompletableFuture.allOf(commits.toArray(new CompletableFuture[0]))
                .thenApply(v -> Done.getInstance()));
    }
}
