package io.batpak.cli.internal;

import io.batpak.cli.BatpakCli;
import io.batpak.core.error.CorruptStoreException;
import io.batpak.core.error.InvalidInputException;
import io.batpak.core.error.StoreLockedException;
import io.batpak.core.error.UnsupportedFormatException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.concurrent.CompletionException;
import picocli.CommandLine;

/** Builds the command line, runs one command and turns failures into exit codes and one-line errors. */
public final class Cli {
    private Cli() {
    }

    public static int run(PrintStream out, PrintStream err, String... args) {
        // Logging starts here, before any library logs from several threads at once.
        org.slf4j.LoggerFactory.getLogger(Cli.class);
        CommandLine cl = new CommandLine(new BatpakCli());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            PrintWriter w = c.getErr();
            w.println(c.getCommandSpec().qualifiedName() + ": " + ex.getMessage());
            w.println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            w.flush();
            return BatpakCli.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> report(c, ex));
        return cl.execute(args);
    }

    /** Prints the one line naming a failure to the command line's error writer and returns its exit code. */
    static int report(CommandLine c, Throwable ex) {
        Throwable e = ex instanceof CompletionException && ex.getCause() != null ? ex.getCause() : ex;
        PrintWriter w = c.getErr();
        w.println(c.getCommandSpec().qualifiedName() + ": " + message(e));
        w.flush();
        return exitCode(e);
    }

    /** The exit code of a failure a command did not handle itself. */
    static int exitCode(Throwable e) {
        if (e instanceof CliException ce) {
            return ce.exitCode();
        }
        if (e instanceof StoreLockedException || e instanceof CorruptStoreException
                || e instanceof UnsupportedFormatException) {
            return BatpakCli.CANNOT_OPEN;
        }
        if (e instanceof InvalidInputException) {
            return BatpakCli.USAGE;
        }
        return BatpakCli.PROBLEM;
    }

    /** One line naming the cause: the message of the failure (and of its cause, when it adds something). */
    static String message(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable cause = e.getCause();
        if (!(e instanceof CliException) && cause != null && cause.getMessage() != null
                && !m.contains(cause.getMessage())) {
            m = m + ": " + cause.getMessage();
        }
        return m.replace('\n', ' ');
    }
}
