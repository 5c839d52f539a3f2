package io.batpak.cli.internal;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code batpak}: lists the commands. */
@Command(name = "batpak", mixinStandardHelpOptions = true, versionProvider = TopCommand.Version.class,
        usageHelpAutoWidth = true, usageHelpWidth = 100,
        header = "Inspect, verify, follow and maintain a batpak event store directory.",
        synopsisHeading = "%nUsage: ",
        customSynopsis = "batpak <command> <store-dir> [options]",
        commandListHeading = "%nCommands:%n",
        footerHeading = "%n",
        footer = {"Every command has --help and --json. Exit codes: 0 ok, 1 the check found a problem (or the operation"
                + " failed), 2 bad usage, 3 the store could not be opened (missing, locked, corrupt, unsupported format)."},
        subcommands = {InfoCommand.class, GetCommand.class, ReadCommand.class, QueryCommand.class, TailCommand.class,
                VerifyCommand.class, ExportCommand.class, ImportCommand.class, CompactCommand.class,
                RedactCommand.class, BackupCommand.class, CheckpointsCommand.class, BenchCommand.class})
final class TopCommand implements Callable<Integer> {
    final PrintStream out;
    final PrintStream err;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    TopCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(out);
        return io.batpak.cli.BatpakCli.USAGE;
    }

    /** The version of the tool's jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = TopCommand.class.getPackage().getImplementationVersion();
            return new String[] {"batpak " + (v == null ? "(development build)" : v)};
        }
    }
}
