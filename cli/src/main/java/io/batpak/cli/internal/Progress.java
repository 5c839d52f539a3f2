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

    static Progress of(Mode mode, boolean json, PrintStream err, CliSettings settings) {
        boolean on = switch (mode) {
            case ALWAYS -> true;
            case NEVER -> false;
            case AUTO -> !json && System.console() != null;
        };
        return new Progress(err, on, settings.progressMinSteps());
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
}
