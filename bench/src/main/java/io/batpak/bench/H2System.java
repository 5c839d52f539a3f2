package io.batpak.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * H2 (com.h2database:h2) embedded in file mode with its default MVStore engine and default settings. H2 does not
 * force a commit to disk: its documentation ("Durability Problems") says committed transactions are written with a
 * delay and about a second of them may be lost on power failure, so H2 belongs to the no-fsync class (its commits
 * do survive a process crash once written).
 *
 * <p>Table: {@code events(global_seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE, entity VARCHAR, entity_seq BIGINT,
 * kind INT, payload VARBINARY, PRIMARY KEY(entity, entity_seq))}. One connection per appender (H2's MVStore handles
 * concurrent writers with row-level locking), at most {@link #MAX_CONNECTIONS}: MVStore refuses more than 255 open
 * transactions, so above that appenders share a pool. Prepared statements are reused; a single append is one
 * autocommit INSERT, an atomic batch one transaction with a JDBC batch.
 */
final class H2System implements AppendSystem {
    static final int MAX_CONNECTIONS = 128;

    @Override
    public String name() {
        return "h2";
    }

    @Override
    public String configuration() {
        return "H2 file mode (jdbc:h2:file:<dir>/events), MVStore, default settings (commits are not forced to disk); "
                + "events(global_seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE, entity VARCHAR(1024), entity_seq BIGINT, "
                + "kind INT, payload VARBINARY, PRIMARY KEY(entity, entity_seq)); one connection per appender up to 128, "
                + "then a pool of 128 (MVStore allows 255 open transactions), prepared statements; single append = "
                + "autocommit INSERT, batch = one transaction with executeBatch";
    }

    @Override
    public Session open(Path dir, Scenario s) throws Exception {
        Files.createDirectories(dir);
        String url = "jdbc:h2:file:" + dir.resolve("events").toAbsolutePath();
        Connection admin = DriverManager.getConnection(url, "sa", "");
        try (Statement st = admin.createStatement()) {
            st.executeUpdate("CREATE TABLE events(global_seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE, "
                    + "entity VARCHAR(1024) NOT NULL, entity_seq BIGINT NOT NULL, kind INT NOT NULL, "
                    + "payload VARBINARY(1048576) NOT NULL, PRIMARY KEY(entity, entity_seq))");
        }
        byte[] payload = Payloads.of(s.payload());
        int size = Math.min(s.appenders(), MAX_CONNECTIONS);
        BlockingQueue<Conn> pool = new ArrayBlockingQueue<>(size);
        for (int i = 0; i < size; i++) {
            Connection c = DriverManager.getConnection(url, "sa", "");
            if (s.isBatch()) {
                c.setAutoCommit(false);
            }
            pool.add(new Conn(c, c.prepareStatement(SqliteSystem.INSERT)));
        }
        return new Threaded() {
            @Override
            public int eventsPerOp() {
                return s.batch();
            }

            @Override
            public Client client(int appender) {
                String entity = BatpakSystem.entity(appender);
                return new Client() {
                    @Override
                    public void run(long op) throws SQLException, InterruptedException {
                        Conn c = pool.take();
                        try {
                            if (s.isBatch()) {
                                for (int j = 0; j < s.batch(); j++) {
                                    SqliteSystem.bind(c.insert, entity, op * s.batch() + j, payload);
                                    c.insert.addBatch();
                                }
                                c.insert.executeBatch();
                                c.connection.commit();
                            } else {
                                SqliteSystem.bind(c.insert, entity, op, payload);
                                c.insert.executeUpdate();
                            }
                        } finally {
                            pool.put(c);
                        }
                    }

                    @Override
                    public void close() {
                    }
                };
            }

            @Override
            public void close() throws SQLException {
                for (Conn c : pool) {
                    c.insert.close();
                    c.connection.close();
                }
                try (Statement st = admin.createStatement()) {
                    st.execute("SHUTDOWN");
                } finally {
                    admin.close();
                }
            }
        };
    }

    private record Conn(Connection connection, PreparedStatement insert) {
    }
}
