package io.batpak.projections;

import io.batpak.core.IoFaultHook;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.lmdbjava.ByteArrayProxy;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;

/**
 * One LMDB environment (lmdbjava, byte-array keys and values) and the rules for using it, so no caller has to know
 * them; batpak's read models, projection cache and Pekko snapshot store all use it:
 * <ul>
 *   <li><b>one owner</b>: the object that opened it closes it, once, after its writer thread stopped;</li>
 *   <li><b>write transactions on one thread</b>: {@link #write} runs the work on this environment's single writer
 *       thread, begins, commits (forced unless the environment was opened without sync) and completes the stage;</li>
 *   <li><b>map growth</b>: a write that meets {@code MDB_MAP_FULL} is aborted, the map is doubled while no
 *       transaction is open, and the work runs again on a fresh transaction (so work must only depend on what it
 *       reads in its transaction);</li>
 *   <li><b>readers</b>: {@code MDB_NOTLS}, so {@link #read} may run on any thread; {@code maxReaders} slots.</li>
 * </ul>
 * Keys compare as unsigned bytes. Thread-safe.
 */
public final class LmdbEnvironment implements AutoCloseable {
    static final int MAX_DBS = 4096;

    private final Path directory;
    private final Env<byte[]> env;
    private final ExecutorService writer;
    private final ConcurrentHashMap<String, Dbi<byte[]>> dbs = new ConcurrentHashMap<>();
    /** Read-held by every transaction, write-held while the map is resized. */
    private final ReentrantReadWriteLock resize = new ReentrantReadWriteLock();
    private volatile long mapSize;
    private volatile Thread writerThread;
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicLong growths = new java.util.concurrent.atomic.AtomicLong();
    private final IoFaultHook faults;
    /** The data file as named to the fault hook. */
    private static final String DATA_FILE = "data.mdb";

    /**
     * Opens (creating) the environment in {@code directory}.
     *
     * @param sync false for a cache: commits are not forced (a process crash loses nothing, a power loss may lose
     *             the last commits but never corrupts the database)
     */
    public LmdbEnvironment(Path directory, long initialMapSize, int maxReaders, boolean sync, String threadName) {
        this(directory, initialMapSize, maxReaders, sync, threadName, IoFaultHook.NONE);
    }

    /**
     * Like the other constructor, with a test hook called before every commit ({@code beforeForce("data.mdb")}):
     * throwing aborts the transaction as a failed commit would.
     */
    public LmdbEnvironment(Path directory, long initialMapSize, int maxReaders, boolean sync, String threadName,
                           IoFaultHook faults) {
        this.directory = directory;
        this.faults = faults;
        this.mapSize = initialMapSize;
        try {
            Files.createDirectories(directory);
            EnvFlags[] flags = sync ? new EnvFlags[] {EnvFlags.MDB_NOTLS}
                    : new EnvFlags[] {EnvFlags.MDB_NOTLS, EnvFlags.MDB_NOSYNC, EnvFlags.MDB_NOMETASYNC};
            this.env = Env.create(ByteArrayProxy.PROXY_BA).setMapSize(initialMapSize).setMaxDbs(MAX_DBS)
                    .setMaxReaders(maxReaders).open(directory.toFile(), flags);
        } catch (IOException | LmdbException e) {
            throw new ProjectionStoreException(directory, "cannot open: " + e, e);
        }
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            writerThread = t;
            return t;
        });
    }

    /** The environment's directory. */
    public Path directory() {
        return directory;
    }

    /** How many times the map was grown. */
    public long growths() {
        return growths.get();
    }

    /** The current map size in bytes. */
    public long mapSize() {
        return mapSize;
    }

    /**
     * The named database, created on first use. Opening runs on the writer thread between transactions (LMDB
     * opens it in a write transaction of its own); call it before the work that uses the database, never from
     * inside {@link #write}'s work.
     */
    public Dbi<byte[]> db(String name) {
        Dbi<byte[]> db = dbs.get(name);
        if (db != null) {
            return db;
        }
        if (Thread.currentThread() == writerThread) {
            throw new IllegalStateException("database " + name + " must be opened before a write transaction uses it");
        }
        CompletableFuture<Dbi<byte[]>> opened = new CompletableFuture<>();
        try {
            writer.execute(() -> {
                try {
                    opened.complete(dbs.computeIfAbsent(name, this::open));
                } catch (Throwable e) {
                    opened.completeExceptionally(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new ProjectionStoreException(directory, "closed", e);
        }
        try {
            return opened.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private Dbi<byte[]> open(String name) {
        while (true) {
            resize.readLock().lock();
            try {
                ensureOpen();
                return env.openDbi(name, DbiFlags.MDB_CREATE, DbiFlags.MDB_UNSIGNEDKEY);
            } catch (Env.MapFullException e) {
                // grow below
            } catch (LmdbException e) {
                throw new ProjectionStoreException(directory, "cannot open database " + name + ": " + e, e);
            } finally {
                resize.readLock().unlock();
            }
            grow();
        }
    }

    /**
     * Runs {@code work} in a write transaction on the writer thread and commits it; the stage completes with the
     * work's result once the commit returned, or fails with what the work threw (the transaction aborted) or with
     * {@link ProjectionStoreException} when LMDB fails.
     */
    public <T> CompletableFuture<T> write(Function<Txn<byte[]>, T> work) {
        CompletableFuture<T> out = new CompletableFuture<>();
        try {
            writer.execute(() -> {
                try {
                    out.complete(writeHere(work));
                } catch (Throwable e) {
                    out.completeExceptionally(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            out.completeExceptionally(new ProjectionStoreException(directory, "closed", e));
        }
        return out;
    }

    private <T> T writeHere(Function<Txn<byte[]>, T> work) {
        while (true) {
            resize.readLock().lock();
            try {
                ensureOpen();
                try (Txn<byte[]> txn = env.txnWrite()) {
                    T result = work.apply(txn);
                    try {
                        faults.beforeForce(DATA_FILE);
                    } catch (java.io.IOException e) {
                        throw new ProjectionStoreException(directory, "write failed, nothing was changed: " + e, e);
                    }
                    txn.commit();
                    return result;
                }
            } catch (Env.MapFullException | org.lmdbjava.Dbi.MapResizedException e) {
                // aborted by the try-with-resources; grow below, outside the read lock, and run the work again
            } catch (LmdbException e) {
                throw new ProjectionStoreException(directory, "write failed, nothing was changed: " + e, e);
            } finally {
                resize.readLock().unlock();
            }
            grow();
        }
    }

    private void grow() {
        resize.writeLock().lock();
        try {
            ensureOpen();
            long next = mapSize * 2;
            env.setMapSize(next);
            mapSize = next;
            growths.incrementAndGet();
        } catch (LmdbException e) {
            throw new ProjectionStoreException(directory, "cannot grow the map beyond " + mapSize + " bytes: " + e, e);
        } finally {
            resize.writeLock().unlock();
        }
    }

    /** Runs {@code work} in a read transaction on the calling thread. */
    public <T> T read(Function<Txn<byte[]>, T> work) {
        resize.readLock().lock();
        try {
            ensureOpen();
            try (Txn<byte[]> txn = env.txnRead()) {
                return work.apply(txn);
            }
        } catch (LmdbException e) {
            throw new ProjectionStoreException(directory, "read failed: " + e, e);
        } finally {
            resize.readLock().unlock();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new ProjectionStoreException(directory, "closed", null);
        }
    }

    /** Stops the writer thread after the writes already submitted, then closes the environment. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        resize.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                env.close();
            }
        } finally {
            resize.writeLock().unlock();
        }
    }
}
