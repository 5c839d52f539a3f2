package io.batpak.bench;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Before each measurement, flushes dirty pages left by the previous one ({@code sync}), so a measurement's forces do
 * not wait behind another system's write-back. Directories are deleted right after each measurement, so little is
 * usually left to flush.
 */
final class Settle {
    private Settle() {
    }

    static void flush() {
        try {
            Process p = new ProcessBuilder("sync").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor(60, TimeUnit.SECONDS);
        } catch (IOException e) {
            // no sync(1): nothing to settle with
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
