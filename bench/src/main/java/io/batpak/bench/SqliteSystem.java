package io.batpak.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;

/**
 * SQLite (org.xerial:sqlite-jdbc) in WAL mode, set up the way SQLite's documentation recommends for write
 * throughput: WAL journal, prepared statements reused, a 64 MiB page cache, temp store in memory, default page size
 * and auto-checkpoint. {@code synchronous=FULL} (every commit forces the WAL) for the fsync class,
 * {@code synchronous=NORMAL} (WAL forced only at checkpoints: survives an application crash, not a power loss) for the
 * no-fsync class.
 *
 * <p>Table: {@code events(global_seq INTEGER PRIMARY KEY AUTOINCREMENT, entity TEXT, entity_seq INTEGER, kind INTEGER,
 * payload BLOB, UNIQUE(entity, entity_seq))}; SQLite can only auto-increment the rowid, so (entity, entity_seq) is the
 * unique key and the global sequence is the rowid. A single append is one autocommit INSERT; an atomic batch is one
 * {@code BEGIN IMMEDIATE} transaction with a JDBC batch of INSERTs.
 *
 * <p>SQLite allows one writer at a time. {@link Connections#SHARED} serialises the appenders on one connection in
 * the process (a pool of one); {@link Connections#PER_APPENDER} gives each appender its own connection and lets
 * SQLite's busy handler arbitrate.
 */
final class SqliteSystem implements AppendSystem {
    /**
     * How appenders reach SQLite. {@link #AUTO} (the default) uses what measured faster on the reference machine:
     * one shared connection with {@code synchronous=FULL} (a busy connection-per-appender setup spends its time in
     * SQLite's sleeping busy handler between forced commits), a connection per appender with {@code NORMAL}.
     */
    enum Connections { AUTO, SHARED, PER_APPENDER }

    static final String INSERT = "INSERT INTO events(entity, entity_seq, kind, payload) VALUES (?, ?, ?, ?)";

    private final boolean full;
    private final Connections connections;

    SqliteSystem(boolean full, Connections connections) {
        this.full = full;
        this.connections = connections != Connections.AUTO ? connections
                : full ? Connections.SHARED : Connections.PER_APPENDER;
    }

    @Override
    public String name() {
        return full ? "sqlite-wal-full" : "sqlite-wal-normal";
    }

    @Override
    public String configuration() {
        return "sqlite-jdbc, journal_mode=WAL, synchronous=" + (full ? "FULL" : "NORMAL")
                + ", cache_size=-65536, temp_store=MEMORY, busy_timeout=60000, default page size and wal_autocheckpoint; "
                + "events(global_seq INTEGER PRIMARY KEY AUTOINCREMENT, entity TEXT, entity_seq INTEGER, kind INTEGER, "
                + "payload BLOB, UNIQUE(entity, entity_seq)); single append = autocommit INSERT, batch = one IMMEDIATE "
                + "transaction with executeBatch; "
                + (connections == Connections.SHARED ? "one connection shared by all appenders (pool of one, a lock)"
                : "one connection per appender");
    }

    private Connection connect(String url) throws SQLException {
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
        cfg.setSynchronous(full ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.NORMAL);
        cfg.setBusyTimeout(60_000);
        cfg.setCacheSize(-65536);
        cfg.setTempStore(SQLiteConfig.TempStore.MEMORY);
        cfg.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        return cfg.createConnection(url);
    }

    @Override
    public Session open(Path dir, Scenario s) throws Exception {
        Files.createDirectories(dir);
        String url = "jdbc:sqlite:" + dir.resolve("events.db").toAbsolutePath();
        Connection admin = connect(url);
        try (Statement st = admin.createStatement()) {
            st.executeUpdate("CREATE TABLE events(global_seq INTEGER PRIMARY KEY AUTOINCREMENT, entity TEXT NOT NULL, "
                    + "entity_seq INTEGER NOT NULL, kind INTEGER NOT NULL, payload BLOB NOT NULL, UNIQUE(entity, entity_seq))");
        }
        byte[] payload = Payloads.of(s.payload());
        ReentrantLock lock = new ReentrantLock();
        PreparedStatement shared = connections == Connections.SHARED ? admin.prepareStatement(INSERT) : null;
        if (shared != null && s.isBatch()) {
            admin.setAutoCommit(false);
        }
        return new Threaded() {
            @Override
            public int eventsPerOp() {
                return s.batch();
            }

            @Override
            public Client client(int appender) throws SQLException {
                String entity = BatpakSystem.entity(appender);
                Connection own = shared == null ? connect(url) : null;
                if (own != null && s.isBatch()) {
                    own.setAutoCommit(false);
                }
                PreparedStatement ps = own == null ? shared : own.prepareStatement(INSERT);
                Connection conn = own == null ? admin : own;
                return new Client() {
                    @Override
                    public void run(long op) throws SQLException {
                        if (shared != null) {
                            lock.lock();
                        }
                        try {
                            if (s.isBatch()) {
                                for (int j = 0; j < s.batch(); j++) {
                                    bind(ps, entity, op * s.batch() + j, payload);
                                    ps.addBatch();
                                }
                                ps.executeBatch();
                                conn.commit();
                            } else {
                                bind(ps, entity, op, payload);
                                ps.executeUpdate();
                            }
                        } finally {
                            if (shared != null) {
                                lock.unlock();
                            }
                        }
                    }

                    @Override
                    public void close() throws SQLException {
                        if (own != null) {
                            ps.close();
                            own.close();
                        }
                    }
                };
            }

            @Override
            public void close() throws SQLException {
                if (shared != null) {
                    shared.close();
                }
                admin.close();
            }
        };
    }

    static void bind(PreparedStatement ps, String entity, long seq, byte[] payload) throws SQLException {
        ps.setString(1, entity);
        ps.setLong(2, seq);
        ps.setInt(3, 0x1001);
        ps.setBytes(4, payload);
    }
}
