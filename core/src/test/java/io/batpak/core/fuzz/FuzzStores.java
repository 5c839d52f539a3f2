package io.batpak.core.fuzz;

import io.batpak.core.Coordinate;
import io.batpak.core.EventId;
import io.batpak.core.EventKind;
import io.batpak.core.StoreConfig;
import io.batpak.core.internal.journal.JournalWriter;
import io.batpak.core.internal.journal.PendingEvent;
import io.batpak.core.internal.journal.StoreCore;
import io.batpak.core.internal.segment.FrameEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Small real stores and scratch directories for the fuzz targets. */
final class FuzzStores {
    /** How long {@code -Pfuzz} fuzzes each target (regression runs replay the seed corpus only). */
    static final String DURATION = "60s";
    private FuzzStores() {
    }

    /** Writes {@code events} events over three entities (one atomic pair among them) to a new store in {@code dir}. */
    static void write(Path dir, int events) throws IOException {
        StoreConfig config = StoreConfig.builder(dir).build();
        try (StoreCore core = StoreCore.open(config); JournalWriter w = new JournalWriter(core)) {
            FrameEncoder encoder = new FrameEncoder();
            byte[][] last = new byte[3][32];
            long[] seq = new long[3];
            int i = 0;
            while (i < events) {
                int group = i % 5 == 4 && i + 2 <= events ? 2 : 1;
                PendingEvent[] g = new PendingEvent[group];
                for (int k = 0; k < group; k++, i++) {
                    int e = i % 3;
                    Coordinate c = Coordinate.of("order:" + e, e == 2 ? "shop-é" : "shop");
                    byte[] hash = new byte[32];
                    EventId id = EventId.generate();
                    long ts = core.clock().next();
                    List<String> tags = i % 3 == 0 ? List.of("tag-" + e) : List.of();
                    byte[][] tagBytes = tags.isEmpty() ? null : new byte[][] {tags.get(0).getBytes(StandardCharsets.UTF_8)};
                    byte[] frame = encoder.encode(c.entityBytes(), c.scopeBytes(), tagBytes, new byte[] {(byte) i, 1, 2},
                            0, EventKind.of(1, e).raw(), 0, 1, seq[e], ts, id, id, null, null, last[e], hash);
                    g[k] = new PendingEvent(frame, c, id, seq[e]++, ts, hash, EventKind.of(1, e).raw(), null, tags, null);
                    last[e] = hash;
                }
                w.stage(g);
                w.commit();
            }
            w.writeCheckpoint();
        }
    }

    /** Empties {@code dir} (or creates it). */
    static void clear(Path dir) {
        try {
            if (Files.exists(dir)) {
                try (Stream<Path> walk = Files.walk(dir)) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                        if (!p.equals(dir)) {
                            Files.delete(p);
                        }
                    }
                }
            }
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path scratch(String name) {
        try {
            Path p = Files.createTempDirectory("batpak-fuzz-" + name);
            p.toFile().deleteOnExit();
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
