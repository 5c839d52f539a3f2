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

/** Builds the command line, runs one command and turns its failures into exit codes and one-line errors. */
public final class Cli {
    private Cli() {
    }

    public static int run(PrintStream out, PrintStream err, String... args) {
        // Logging starts here, before any library logs from several threads at once.
        org.slf4j.LoggerFactory.getLogger(Cli.class);
        TopCommand top = new TopCommand(out, err);
        CommandLine cl = new CommandLine(top);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            err.println(c.getCommandName() + ": " + ex.getMessage());
            err.println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            return BatpakCli.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            Throwable e = ex instanceof CompletionException && ex.getCause() != null ? ex.getCause() : ex;
            int code = exitCode(e);
            err.println(c.getCommandSpec().qualifiedName() + ": " + message(e));
            return code;
        });
        return cl.execute(args);
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
