package io.batpak.streams;

import io.batpak.core.error.CheckpointAheadOfStoreException;
import io.batpak.core.internal.cursor.CheckpointStore;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;

/**
 * One cursor's durable checkpoint: loads it at start and writes commits, one file write at a time on the I/O
 * executor, coalescing commits that arrive while a write runs into the next write. Holds the checkpoint's
 * process-wide claim while the cursor runs, so two cursors never advance one checkpoint. Thread-safe.
 */
final class Checkpointer {
    private final CheckpointStore files;
    private final String id;
    private final String regionIdentity;
    private final Executor io;
    private final List<Pending> pending = new ArrayList<>();
    private final CompletableFuture<Done> idle = new CompletableFuture<>();
    private CheckpointStore.Claim claim;
    private volatile long committed = -1;
    private long target = -1;
    private boolean writing;
    private boolean released;

    private record Pending(long position, CompletableFuture<Done> done) {
    }

    Checkpointer(CheckpointStore files, String id, String regionIdentity, Executor io) {
        this.files = files;
        this.id = id;
        this.regionIdentity = regionIdentity;
        this.io = io;
    }

    String id() {
        return id;
    }

    /**
     * Claims the checkpoint and loads it (blocking; run on the I/O executor).
     *
     * @return the saved position, or empty when there is none
     * @throws io.batpak.core.error.CheckpointInUseException when another running cursor holds it
     * @throws CheckpointAheadOfStoreException when the saved position is beyond {@code lastSequence}
     */
    OptionalLong start(long lastSequence) {
        CheckpointStore.Claim c = files.claim(id);
        try {
            OptionalLong saved = files.load(id, regionIdentity);
            if (saved.isPresent() && saved.getAsLong() > lastSequence) {
                throw new CheckpointAheadOfStoreException(files.path(id), saved.getAsLong(), lastSequence);
            }
            synchronized (this) {
                claim = c;
                committed = saved.orElse(-1);
                target = committed;
            }
            return saved;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    long committed() {
        return committed;
    }

    /**
     * Reads the saved position without claiming the checkpoint, so a cursor reports its committed position from
     * materialisation on; a checkpoint that cannot be read here is left to {@link #start}, which reports it.
     */
    OptionalLong peek() {
        try {
            OptionalLong saved = files.load(id, regionIdentity);
            synchronized (this) {
                if (claim == null && saved.isPresent()) {
                    committed = saved.getAsLong();
                }
            }
            return saved;
        } catch (RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    CompletionStage<Done> commit(long position) {
        CompletableFuture<Done> done = new CompletableFuture<>();
        boolean startWrite;
        synchronized (this) {
            if (position <= committed) {
                return CompletableFuture.completedFuture(Done.getInstance());
            }
            target = Math.max(target, position);
            pending.add(new Pending(position, done));
            startWrite = !writing;
            writing = true;
        }
        if (startWrite) {
            io.execute(this::writeLoop);
        }
        return done;
    }

    private void writeLoop() {
        while (true) {
            long position;
            synchronized (this) {
                if (target <= committed) {
                    writing = false;
                    if (released) {
                        closeClaim();
                    }
                    return;
                }
                position = target;
            }
            RuntimeException error = null;
            try {
                boolean temporary = false;
                synchronized (this) {
                    if (claim == null) {
                        // The cursor stopped and released the checkpoint; a late commit claims it for one write.
                        claim = files.claim(id);
                        temporary = true;
                    }
                }
                files.save(id, regionIdentity, position);
                if (temporary) {
                    synchronized (this) {
                        closeClaim();
                    }
                }
            } catch (RuntimeException e) {
                error = e;
            }
            if (complete(position, error)) {
                return;
            }
        }
    }

    /**
     * Records a finished write and completes the commits it covers; true when nothing is left to write. The claim of
     * a stopped cursor is released <em>before</em> those commits complete, so whoever waited for the last commit can
     * reuse the checkpoint at once.
     */
    private boolean complete(long position, RuntimeException error) {
        List<Pending> finished = new ArrayList<>();
        boolean last;
        synchronized (this) {
            if (error == null) {
                committed = position;
            } else {
                // The position stays uncommitted; later commits may still succeed.
                target = committed;
            }
            for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
                Pending p = it.next();
                if (error != null || p.position() <= position) {
                    finished.add(p);
                    it.remove();
                }
            }
            last = target <= committed;
            if (last) {
                writing = false;
                if (released) {
                    closeClaim();
                }
            }
        }
        for (Pending p : finished) {
            if (error == null) {
                p.done().complete(Done.getInstance());
            } else {
                p.done().completeExceptionally(error);
            }
        }
        return last;
    }

    /** The cursor stopped: release the claim once no write is running. */
    void release() {
        synchronized (this) {
            released = true;
            if (!writing) {
                closeClaim();
            }
        }
    }

    /** Completes when the cursor has stopped and no write is running. */
    CompletionStage<Done> whenIdle() {
        return idle;
    }

    private void closeClaim() {
        if (claim != null) {
            claim.close();
            claim = null;
        }
        if (released) {
            idle.complete(Done.getInstance());
        }
    }
}
