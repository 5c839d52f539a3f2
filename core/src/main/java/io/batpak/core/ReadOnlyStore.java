package io.batpak.core;

import io.batpak.core.error.CorruptStoreException;
import io.batpak.core.error.InvalidConfigException;
import io.batpak.core.error.InvalidInputException;
import io.batpak.core.error.StoreException;
import io.batpak.core.error.StoreLockedException;
import io.batpak.core.error.UnsupportedFormatException;
import io.batpak.core.internal.journal.StoreCore;

/**
 * A store opened for reading and verification only, without actors: for audits, backups and inspecting a store
 * that a normal open refuses or that must not be changed.
 *
 * <p>{@link #open} takes the directory's exclusive lock (so no normal store can write meanwhile; a second open of
 * either kind fails with {@link StoreLockedException}) and recovers the store <em>without changing any file</em>:
 * <ul>
 *   <li>a torn tail in the newest segment is not truncated; the bytes after the last complete atomic group are
 *       ignored ({@link #ignoredTailBytes()});</li>
 *   <li>a newest segment whose header was never completely written is ignored, not deleted; an untrusted index
 *       checkpoint is ignored, not deleted; no checkpoint is written on close; the lock file's text is left as it is
 *       (an empty {@code LOCK} is created only if missing);</li>
 *   <li>repair is refused: a configuration with {@code repair} on fails with {@link InvalidConfigException};</li>
 *   <li>a checksum-valid frame whose entity sequence or prevHash breaks its entity's chain does <em>not</em> fail the
 *       open (a normal open refuses it): it is indexed as stored and {@link #verify()} reports it with file, offset
 *       and event. Damage that leaves no consistent global order (a bad checksum or length before the tail, a global
 *       sequence gap, a broken atomic group) fails with {@link CorruptStoreException} as in a normal open.</li>
 * </ul>
 * Reads and verification are those of the actor store: the {@link StoreReader} contract, answered by the same
 * code. Thread-safe.
 */
public final class ReadOnlyStore extends ForwardingStoreReader implements AutoCloseable {
    private final StoreCore core;

    private ReadOnlyStore(StoreCore core) {
        super(core);
        this.core = core;
    }

    /**
     * Opens the store in {@code config.dataDir()} read-only.
     *
     * @throws StoreException when the directory does not exist
     * @throws InvalidConfigException when {@code config.repair()} is on
     * @throws StoreLockedException when another open store holds the directory
     * @throws CorruptStoreException when stored data is damaged beyond a broken chain link
     * @throws UnsupportedFormatException when a file has a newer format version
     */
    public static ReadOnlyStore open(StoreConfig config) {
        InvalidInputException.requireArgument(config, "config");
        return new ReadOnlyStore(StoreCore.openReadOnly(config));
    }

    /** Bytes after the valid end of the newest segment (a torn tail) that this open ignored and left in place. */
    public long ignoredTailBytes() {
        return core.recovered().report().truncatedTailBytes();
    }

    /**
     * Exports the events of {@code region} to {@code file} (see {@code BatpakStore.export}), on the calling thread.
     *
     * @throws InvalidInputException when an argument is null, {@code file} exists or its directory does not
     * @throws StoreException when writing fails (no file is left behind)
     */
    public ExportReport export(Region region, java.nio.file.Path file, ExportFormat format) {
        return export(region, file, format, ProgressListener.NONE);
    }

    /**
     * {@link #export(Region, java.nio.file.Path, ExportFormat)}, telling {@code progress} how far it has come.
     *
     * @throws InvalidInputException when an argument is null, {@code file} exists or its directory does not
     * @throws StoreException when writing fails (no file is left behind)
     */
    public ExportReport export(Region region, java.nio.file.Path file, ExportFormat format,
                               ProgressListener progress) {
        InvalidInputException.requireArgument(region, "region");
        InvalidInputException.requireArgument(file, "file");
        InvalidInputException.requireArgument(format, "format");
        InvalidInputException.requireArgument(progress, "progress");
        try {
            return io.batpak.core.internal.exchange.ExportWriter.write(core, region, file, format,
                    core.config().ioFaultHook(), progress);
        } catch (java.io.IOException e) {
            throw new StoreException("export to " + file + " failed, nothing was created there: " + e, e);
        }
    }

    /** Closes the segment files and releases the directory lock. Idempotent. */
    @Override
    public void close() {
        core.close();
    }

    @Override
    public String toString() {
        return "ReadOnlyStore[" + core.dataDir() + "]";
    }
}
