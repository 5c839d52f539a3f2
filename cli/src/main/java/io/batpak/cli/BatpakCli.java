package io.batpak.cli;

import io.batpak.cli.internal.Cli;
import java.io.PrintStream;

/**
 * The {@code batpak} command-line tool: {@code batpak <command> <store-dir> [options]}. Run {@code batpak --help}
 * for the commands. Exit codes: {@value #OK} ok, {@value #PROBLEM} the check found a problem (a verify breakage, an
 * event that is not there, an operation that failed), {@value #USAGE} bad usage, {@value #CANNOT_OPEN} the store
 * could not be opened (missing, locked, corrupt, unsupported format); every error is one line on stderr that names
 * its cause.
 */
public final class BatpakCli {
    /** Exit code: done, nothing wrong. */
    public static final int OK = 0;
    /** Exit code: the command ran and found a problem, or its operation failed. */
    public static final int PROBLEM = 1;
    /** Exit code: bad usage (an unknown option, a malformed argument). */
    public static final int USAGE = 2;
    /** Exit code: the store could not be opened. */
    public static final int CANNOT_OPEN = 3;

    private BatpakCli() {
    }

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
}
