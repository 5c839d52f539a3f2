package io.batpak.cluster.internal;

import io.batpak.cluster.ClusterSettings;
import io.batpak.cluster.PartitionCountMismatchException;
import io.batpak.core.IoFaultHook;
import io.batpak.core.error.CorruptStoreException;
import io.batpak.core.error.InvalidConfigException;
import io.batpak.core.error.StoreException;
import io.batpak.core.internal.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * A node's durable record of the cluster store: the partition count fixed at creation and the partitions whose
 * data this node holds. It lives in {@code <dir>/cluster.properties}, replaced atomically (temporary file, force,
 * rename, directory force), as UTF-8 text:
 *
 * <pre>
 * format=1
 * partitions=&lt;P&gt;
 * owned=&lt;p&gt;,&lt;p&gt;,...          (ascending, may be empty)
 * crc32c=&lt;8 hex digits&gt;       (CRC32C of the bytes of the lines above, newlines included)
 * </pre>
 *
 * Each owned partition's store is the directory {@code <dir>/partition-<p>}.
 */
public final class ClusterLayout {
    public static final String FILE = "cluster.properties";
    static final int FORMAT = 1;
    private static final String PARTITION_DIR_PREFIX = "partition-";

    private final Path dir;
    private final int partitions;
    private final SortedSet<Integer> owned;

    private ClusterLayout(Path dir, int partitions, SortedSet<Integer> owned) {
        this.dir = dir;
        this.partitions = partitions;
        this.owned = owned;
    }

    /** The directory of partition {@code p}'s store under {@code dir}. */
    public static Path partitionDir(Path dir, int p) {
        return dir.resolve(PARTITION_DIR_PREFIX + p);
    }

    /**
     * Opens (creating on first start) the layout of {@code settings.dir()} and records the owned partitions.
     *
     * @throws PartitionCountMismatchException when the record holds another partition count
     * @throws InvalidConfigException when a recorded partition is no longer listed in {@code owned-partitions}
     * @throws CorruptStoreException when the record is damaged
     * @throws StoreException when the directory cannot be read or written, a recorded partition's directory is
     *         missing, or partition directories exist without a record
     */
    public static ClusterLayout open(ClusterSettings settings, IoFaultHook hook) {
        Path dir = settings.dir();
        Path file = dir.resolve(FILE);
        try {
            Files.createDirectories(dir);
            if (!Files.exists(file)) {
                List<Path> orphans = partitionDirs(dir);
                if (!orphans.isEmpty()) {
                    throw new StoreException(dir + " holds partition directories " + orphans + " but no " + FILE
                            + "; the partition count they were written with is unknown, so they are not opened");
                }
                ClusterLayout created = new ClusterLayout(dir, settings.partitions(), settings.ownedPartitions());
                created.write(hook);
                return created;
            }
            ClusterLayout recorded = read(file, dir);
            if (recorded.partitions != settings.partitions()) {
                throw new PartitionCountMismatchException("batpak.cluster.partitions of this node (" + dir + ")",
                        recorded.partitions, settings.partitions());
            }
            for (int p : recorded.owned) {
                if (!settings.ownedPartitions().contains(p)) {
                    throw new InvalidConfigException("batpak.cluster.owned-partitions", "partition " + p
                            + " has its data in " + partitionDir(dir, p) + " but is not listed; list it (or move its"
                            + " data to the node that should own it) so that its events stay reachable");
                }
                if (!Files.isDirectory(partitionDir(dir, p))) {
                    throw new StoreException("partition " + p + " is recorded in " + file + " but its directory "
                            + partitionDir(dir, p) + " is missing; it is not recreated empty");
                }
            }
            if (recorded.owned.equals(settings.ownedPartitions())) {
                return recorded;
            }
            ClusterLayout grown = new ClusterLayout(dir, recorded.partitions, settings.ownedPartitions());
            grown.write(hook);
            return grown;
        } catch (IOException e) {
            throw new StoreException("cannot open the cluster layout in " + dir + ": " + e, e);
        }
    }

    private static List<Path> partitionDirs(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(PARTITION_DIR_PREFIX) && Files.isDirectory(p))
                    .sorted().toList();
        }
    }

    private static ClusterLayout read(Path file, Path dir) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int crcAt = text.lastIndexOf("crc32c=");
        if (crcAt < 0) {
            throw new CorruptStoreException(file, 0, "no crc32c line");
        }
        String body = text.substring(0, crcAt);
        String crcText = text.substring(crcAt + "crc32c=".length()).trim();
        if (!crcText.equals(crcHex(body))) {
            throw new CorruptStoreException(file, crcAt, "crc32c " + crcText + " does not match the content ("
                    + crcHex(body) + ")");
        }
        Integer format = null;
        Integer partitions = null;
        SortedSet<Integer> owned = null;
        try {
            for (String line : body.split("\n")) {
                if (line.isEmpty()) {
                    continue;
                }
                int eq = line.indexOf('=');
                String key = eq < 0 ? line : line.substring(0, eq);
                String value = eq < 0 ? "" : line.substring(eq + 1);
                switch (key) {
                    case "format" -> format = Integer.parseInt(value);
                    case "partitions" -> partitions = Integer.parseInt(value);
                    case "owned" -> {
                        owned = new TreeSet<>();
                        for (String p : value.split(",")) {
                            if (!p.isEmpty()) {
                                owned.add(Integer.parseInt(p));
                            }
                        }
                    }
                    default -> throw new CorruptStoreException(file, 0, "unknown line \"" + line + "\"");
                }
            }
        } catch (NumberFormatException e) {
            throw new CorruptStoreException(file, 0, "a number does not parse: " + e.getMessage());
        }
        if (format == null || partitions == null || owned == null) {
            throw new CorruptStoreException(file, 0, "format, partitions and owned must all be present");
        }
        if (format != FORMAT) {
            throw new io.batpak.core.error.UnsupportedFormatException(file, format, FORMAT);
        }
        return new ClusterLayout(dir, partitions, java.util.Collections.unmodifiableSortedSet(owned));
    }

    private void write(IoFaultHook hook) throws IOException {
        StringBuilder body = new StringBuilder();
        body.append("format=").append(FORMAT).append('\n');
        body.append("partitions=").append(partitions).append('\n');
        body.append("owned=").append(String.join(",", owned.stream().map(String::valueOf).toList())).append('\n');
        String text = body + "crc32c=" + crcHex(body.toString()) + "\n";
        DurableFiles.replaceWith(dir.resolve(FILE + ".tmp"), dir.resolve(FILE),
                ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), hook);
    }

    private static String crcHex(String body) {
        CRC32C crc = new CRC32C();
        crc.update(body.getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", crc.getValue());
    }

    public int partitions() {
        return partitions;
    }

    public SortedSet<Integer> owned() {
        return owned;
    }

    public Path partitionDir(int p) {
        return partitionDir(dir, p);
    }

    /** Every partition directory under this node's directory, recorded or not (for tools and tests). */
    public List<Path> partitionDirectories() {
        List<Path> out = new ArrayList<>();
        for (int p : owned) {
            out.add(partitionDir(p));
        }
        return out;
    }
}
