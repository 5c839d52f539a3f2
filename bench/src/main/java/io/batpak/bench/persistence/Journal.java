package io.batpak.bench.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;

/** A journal under test: its name and the configuration that selects it for a fresh, empty store. */
record Journal(String name, String description, Config config) {
    private static final String COMMON = """
            pekko.actor.serialization-bindings { "io.batpak.bench.persistence.BenchEntity$Cbor" = jackson-cbor }
            pekko.loglevel = WARNING
            pekko.persistence.journal.auto-start-journals = []
            """;

    static Journal batpak(Path dir) {
        return new Journal("batpak", "batpak journal, fsync per commit (default sync mode)", ConfigFactory.parseString(
                COMMON + """
                pekko.persistence.journal.plugin = "batpak.persistence.journal"
                pekko.persistence.snapshot-store.plugin = "batpak.persistence.snapshot"
                batpak.persistence.dir = "%s"
                """.formatted(dir.toAbsolutePath())));
    }

    private static Config jdbc(String profile, String driver, String url, String user, String password) {
        return ConfigFactory.parseString(COMMON + """
                pekko.persistence.journal.plugin = "jdbc-journal"
                pekko.persistence.snapshot-store.plugin = "jdbc-snapshot-store"
                pekko-persistence-jdbc.shared-databases.slick {
                  profile = "%s"
                  db {
                    url = "%s"
                    user = "%s"
                    password = "%s"
                    driver = "%s"
                    numThreads = 8
                    maxConnections = 8
                    minConnections = 1
                  }
                }
                jdbc-journal.use-shared-db = "slick"
                jdbc-snapshot-store.use-shared-db = "slick"
                jdbc-read-journal.use-shared-db = "slick"
                """.formatted(profile, url, user, password, driver));
    }

    static Journal h2(Path file) {
        return new Journal("jdbc-h2", "pekko-persistence-jdbc 1.1.1 on H2 (embedded file, H2's default commit)",
                jdbc("slick.jdbc.H2Profile$", "org.h2.Driver", "jdbc:h2:file:" + file.toAbsolutePath()
                        + ";DATABASE_TO_UPPER=false", "sa", ""));
    }

    static Journal postgres(String url, String user) {
        return new Journal("jdbc-postgres", "pekko-persistence-jdbc 1.1.1 on PostgreSQL (local server, fsync on)",
                jdbc("slick.jdbc.PostgresProfile$", "org.postgresql.Driver", url, user, ""));
    }

    boolean isJdbc() {
        return name.startsWith("jdbc");
    }
}
