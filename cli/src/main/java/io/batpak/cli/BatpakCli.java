package io.batpak.cli;

import io.batpak.cli.internal.BackupCommand;
import io.batpak.cli.internal.BenchCommand;
import io.batpak.cli.internal.CheckpointsCommand;
import io.batpak.cli.internal.Cli;
import io.batpak.cli.internal.CompactCommand;
import io.batpak.cli.internal.ExportCommand;
import io.batpak.cli.internal.GetCommand;
import io.batpak.cli.internal.ImportCommand;
import io.batpak.cli.internal.InfoCommand;
import io.batpak.cli.internal.QueryCommand;
import io.batpak.cli.internal.ReadCommand;
import io.batpak.cli.internal.RedactCommand;
import io.batpak.cli.internal.TailCommand;
import io.batpak.cli.internal.VerifyCommand;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code batpak} command-line tool: {@code batpak <command> <store-dir> [options]}; {@code batpak --help} lists
 * the commands. This class is the picocli top-level command, so {@code new CommandLine(new BatpakCli())} runs it too
 * (output and errors go to that command line's {@code getOut()} and {@code getErr()}). Exit codes: {@value #OK} ok,
 * {@value #PROBLEM} the check found a problem (a verify breakage, an event that is not there, an operation that
 * failed), {@value #USAGE} bad usage, {@value #CANNOT_OPEN} the store could not be opened (missing, locked, corrupt,
 * unsupported format); every error is one line on stderr that names its cause.
 */
@Command(name = "batpak", mixinStandardHelpOptions = true, versionProvider = BatpakCli.Version.class,
        usageHelpAutoWidth = true, usageHelpWidth = 100,
        header = "Inspect, verify, follow and maintain a batpak event store directory.",
        synopsisHeading = "%nUsage: ",
        customSynopsis = "batpak <command> <store-dir> [options]",
        commandListHeading = "%nCommands:%n",
        footerHeading = "%n",
        footer = {"Every command has --help and --json. Exit codes: 0 ok, 1 the check found a problem (or the"
                + " operation failed), 2 bad usage, 3 the store could not be opened (missing, locked, corrupt,"
                + " unsupported format)."},
        subcommands = {InfoCommand.class, GetCommand.class, ReadCommand.class, QueryCommand.class, TailCommand.class,
                VerifyCommand.class, ExportCommand.class, ImportCommand.class, CompactCommand.class,
                RedactCommand.class, BackupCommand.class, CheckpointsCommand.class, BenchCommand.class})
public final class BatpakCli implements Callable<Integer> {
    /** Exit code: done, nothing wrong. */
    public static final int OK = 0;
    /** Exit code: the command ran and found a problem, or its operation failed. */
    public static final int PROBLEM = 1;
    /** Exit code: bad usage (an unknown option, a malformed argument). */
    public static final int USAGE = 2;
    /** Exit code: the store could not be opened. */
    public static final int CANNOT_OPEN = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the tool and exits the JVM with its exit code. */
    public static void main(String[] args) {
        int code = run(System.out, System.err, args);
        System.out.flush();
        System.exit(code);
    }

    /**
     * Runs one command in this JVM, writing its output to {@code out} and errors (and progress bars) to {@code err}.
     *
     * @return the exit code
     */
    public static int run(PrintStream out, PrintStream err, String... args) {
        return Cli.run(out, err, args);
    }

    /** {@code batpak} without a command: the usage, and exit code {@value #USAGE}. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return USAGE;
    }

    /** The version of the tool's jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = BatpakCli.class.getPackage().getImplementationVersion();
            return new String[] {"batpak " + (v == null ? "(development build)" : v)};
        }
    }
}
