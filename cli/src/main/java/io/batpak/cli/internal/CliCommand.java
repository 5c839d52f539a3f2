package io.batpak.cli.internal;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/**
 * A command of the tool: writes to its command line's output and error writers, and turns its own failures into an
 * exit code and one line naming the cause, however it was started.
 */
public abstract class CliCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    final PrintWriter out() {
        return spec.commandLine().getOut();
    }

    final PrintWriter err() {
        return spec.commandLine().getErr();
    }

    @Override
    public final Integer call() {
        try {
            int code = execute();
            out().flush();
            return code;
        } catch (RuntimeException | Error e) {
            out().flush();
            return Cli.report(spec.commandLine(), e);
        } catch (Exception e) {
            out().flush();
            return Cli.report(spec.commandLine(), e);
        }
    }

    /** Runs the command; returns its exit code. */
    abstract int execute() throws Exception;
}
