package io.batpak.cli.internal;

import io.batpak.core.ProgressListener;
import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Draws a progress bar on stderr for a {@link ProgressListener}'s updates, one bar per phase; or nothing, when the
 * mode says so. Updates may come from another thread than the one that closes it.
 */
final class Progress implements ProgressListener, AutoCloseable {
    /** When bars are drawn. */
    enum Mode { AUTO, ALWAYS, NEVER }

    private final PrintStream err;
    private final boolean on;
    private final long minSteps;
    private ProgressBar bar;
    private String phase;

    private Progress(PrintStream err, boolean on, long minSteps) {
        this.err = err;
        this.on = on;
        this.minSteps = minSteps;
    }

    static Progress of(Mode mode, boolean json, java.io.PrintWriter err, CliSettings settings) {
        boolean on = switch (mode) {
            case ALWAYS -> true;
            case NEVER -> false;
            case AUTO -> !json && System.console() != null;
        };
        return new Progress(new PrintStream(new WriterStream(err), true, java.nio.charset.StandardCharsets.UTF_8), on,
                settings.progressMinSteps());
    }

    @Override
    public synchronized void progressed(String phase, long done, long total, String unit) {
        if (!on) {
            return;
        }
        if (bar == null || !phase.equals(this.phase)) {
            if (bar != null) {
                bar.close();
                bar = null;
            }
            if (total > 0 && total < minSteps) {
                return;
            }
            this.phase = phase;
            bar = new ProgressBarBuilder().setTaskName(phase).setInitialMax(total > 0 ? total : -1)
                    .setUnit(" " + unit, 1).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(100)
                    .setConsumer(new ConsoleProgressBarConsumer(err)).showSpeed().build();
        }
        if (total > 0 && bar.getMax() != total) {
            bar.maxHint(total);
        }
        bar.stepTo(done);
    }

    @Override
    public synchronized void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }

    /** The bytes a progress bar prints, handed to the command line's error writer. */
    private static final class WriterStream extends java.io.OutputStream {
        private final java.io.PrintWriter writer;
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

        WriterStream(java.io.PrintWriter writer) {
            this.writer = writer;
        }

        @Override
        public synchronized void write(int b) {
            line.write(b);
        }

        @Override
        public synchronized void flush() {
            writer.write(line.toString(java.nio.charset.StandardCharsets.UTF_8));
            line.reset();
            writer.flush();
        }
    }
}
