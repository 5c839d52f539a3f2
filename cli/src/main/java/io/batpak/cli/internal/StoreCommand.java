package io.batpak.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.batpak.actors.BatpakStore;
import io.batpak.cli.BatpakCli;
import io.batpak.core.ReadOnlyStore;
import io.batpak.core.StoreConfig;
import io.batpak.core.error.CorruptStoreException;
import io.batpak.core.error.InvalidConfigException;
import io.batpak.core.error.StoreException;
import io.batpak.core.error.StoreLockedException;
import io.batpak.core.error.UnsupportedFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** A command on one store directory: the directory argument, {@code --json}, {@code --config}, {@code --progress}. */
abstract class StoreCommand extends CliCommand {
    @Parameters(index = "0", paramLabel = "<store-dir>", description = "the store's directory")
    Path storeDir;

    @Option(names = "--json", description = "print JSON (one object per line for events) instead of text")
    boolean json;

    @Option(names = "--config", paramLabel = "FILE",
            description = "a HOCON file with the application's batpak { } settings (segment size, subject-keys-dir,"
                    + " ...) and batpak.cli { } settings")
    Path configFile;

    @Option(names = "--progress", paramLabel = "WHEN", defaultValue = "auto", converter = Converters.ProgressMode.class,
            description = "draw progress bars on stderr: auto (when it is a terminal), always, never")
    Progress.Mode progressMode;

    private Config config;

    final Config config() {
        if (config == null) {
            Config base = ConfigFactory.load();
            if (configFile != null) {
                if (!Files.isRegularFile(configFile)) {
                    throw new CliException(BatpakCli.USAGE, "--config " + configFile + ": no such file");
                }
                try {
                    base = ConfigFactory.parseFile(configFile.toFile()).withFallback(base).resolve();
                } catch (ConfigException e) {
                    throw new CliException(BatpakCli.USAGE, "--config " + configFile + ": " + e.getMessage());
                }
            }
            config = base;
        }
        return config;
    }

    final CliSettings settings() {
        try {
            return CliSettings.from(config());
        } catch (ConfigException e) {
            throw new CliException(BatpakCli.USAGE, "batpak.cli settings: " + e.getMessage());
        }
    }

    final StoreConfig storeConfig() {
        try {
            return StoreConfig.builder(storeDir, config()).build();
        } catch (InvalidConfigException e) {
            throw new CliException(BatpakCli.USAGE, e.getMessage());
        }
    }

    final Progress progress() {
        return Progress.of(progressMode, json, err(), settings());
    }

    /** Fails with exit code 3 unless {@link #storeDir} holds a store. */
    final void requireStore() {
        if (!Files.isDirectory(storeDir)) {
            throw new CliException(BatpakCli.CANNOT_OPEN, "no store directory " + storeDir);
        }
        if (!Files.isDirectory(storeDir.resolve("segments"))) {
            throw new CliException(BatpakCli.CANNOT_OPEN, storeDir + " is not a batpak store (it has no segments/"
                    + " directory)");
        }
    }

    /** Opens the store read-only (it takes the directory's lock: no application may have it open). */
    final ReadOnlyStore openReadOnly() {
        requireStore();
        StoreConfig c = storeConfig();
        try {
            return ReadOnlyStore.open(c);
        } catch (RuntimeException e) {
            throw cannotOpen(e);
        }
    }

    /** Opens the store for writing, in an ActorSystem of the tool's own. */
    final Writable openWritable(boolean create) {
        if (!create) {
            requireStore();
        } else if (Files.exists(storeDir) && !Files.isDirectory(storeDir)) {
            throw new CliException(BatpakCli.CANNOT_OPEN, storeDir + " is not a directory");
        }
        StoreConfig c = storeConfig();
        CliSettings s = settings();
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "batpak-cli",
                s.actorSystem().withFallback(config()));
        try {
            return new Writable(BatpakStore.open(c, system), system, s);
        } catch (RuntimeException e) {
            system.terminate();
            awaitTermination(system, s);
            throw cannotOpen(e);
        }
    }

    private CliException cannotOpen(RuntimeException e) {
        if (e instanceof CliException ce) {
            return ce;
        }
        if (e instanceof StoreLockedException) {
            return new CliException(BatpakCli.CANNOT_OPEN, e.getMessage() + lockOwner()
                    + "; stop it first (batpak tail follows a store in use)");
        }
        if (e instanceof CorruptStoreException || e instanceof UnsupportedFormatException
                || e instanceof StoreException) {
            return new CliException(BatpakCli.CANNOT_OPEN, "cannot open " + storeDir + ": " + e.getMessage(), e);
        }
        return new CliException(BatpakCli.CANNOT_OPEN, "cannot open " + storeDir + ": " + e, e);
    }

    private String lockOwner() {
        try {
            String pid = Files.readString(storeDir.resolve("LOCK"), StandardCharsets.US_ASCII).trim();
            return pid.isEmpty() ? "" : " (process " + pid + ")";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    final void printJson(JsonNode node) {
        out().println(node.toString());
        out().flush();
    }

    private static void awaitTermination(ActorSystem<Void> system, CliSettings s) {
        try {
            system.getWhenTerminated().toCompletableFuture().get(s.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // The tool exits anyway; nothing of the store depends on the system's termination.
        }
    }

    /** A writable store and the ActorSystem it runs in; closing closes both. */
    static final class Writable implements AutoCloseable {
        final BatpakStore store;
        private final ActorSystem<Void> system;
        private final CliSettings settings;

        Writable(BatpakStore store, ActorSystem<Void> system, CliSettings settings) {
            this.store = store;
            this.system = system;
            this.settings = settings;
        }

        /** Waits for a stage of the store's API. */
        <T> T await(java.util.concurrent.CompletionStage<T> stage) {
            try {
                return stage.toCompletableFuture().join();
            } catch (java.util.concurrent.CompletionException e) {
                Throwable c = e.getCause() == null ? e : e.getCause();
                if (c instanceof RuntimeException re) {
                    throw re;
                }
                throw new CliException(BatpakCli.PROBLEM, Cli.message(c), c);
            }
        }

        @Override
        public void close() {
            try {
                store.close();
            } finally {
                system.terminate();
                awaitTermination(system, settings);
            }
        }
    }
}
