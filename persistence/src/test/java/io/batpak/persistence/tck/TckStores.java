package io.batpak.persistence.tck;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/** The configuration of a TCK suite: the batpak plugins on a fresh store directory of its own. */
final class TckStores {
    private TckStores() {
    }

    static Path freshDir(String suite) {
        return Path.of("target", "tck", suite + "-" + UUID.randomUUID());
    }

    static Config config(Path dir) {
        return ConfigFactory.parseString(
                "pekko.persistence.journal.plugin = \"batpak.persistence.journal\"\n"
                        + "pekko.persistence.snapshot-store.plugin = \"batpak.persistence.snapshot\"\n"
                        + "batpak.persistence.dir = \"" + dir.toAbsolutePath().toString().replace("\\", "/") + "\"\n")
                .withFallback(ConfigFactory.load());
    }

    static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
