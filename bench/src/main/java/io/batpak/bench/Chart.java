package io.batpak.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Draws throughput against concurrency per system, one panel per durability class and payload size, on a log scale,
 * with the single-thread raw loops as horizontal reference lines. Java2D only.
 */
final class Chart {
    private static final int PANEL_W = 760;
    private static final int PANEL_H = 520;

    private record Series(String system, String label, Color color, float width, boolean dashed) {
    }

    private Chart() {
    }

    static void render(Report report, Path png) throws IOException {
        Plan plan = report.plan;
        int cols = 2;
        int rows = plan.payloads().size();
        int titleH = 60;
        BufferedImage img = new BufferedImage(cols * PANEL_W, titleH + rows * PANEL_H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 22));
        g.drawString("batpak-jvm appends: events/s vs concurrent appenders", 20, 38);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
        String sub = (plan.rounds() == 1 ? "1 round, " : "median of " + plan.rounds() + " rounds, ") + plan.mode() + " mode, " + report.timestamp + ", "
                + report.machine.get("cores") + " cores";
        g.drawString(sub, img.getWidth() - 20 - g.getFontMetrics().stringWidth(sub), 38);
        for (int r = 0; r < rows; r++) {
            int payload = plan.payloads().get(r);
            panel(g, report, Durability.FSYNC, payload, 0, titleH + r * PANEL_H);
            panel(g, report, Durability.NO_FSYNC, payload, PANEL_W, titleH + r * PANEL_H);
        }
        g.dispose();
        ImageIO.write(img, "png", png.toFile());
    }

    private static void panel(Graphics2D g, Report report, Durability d, int payload, int x0, int y0) {
        Plan plan = report.plan;
        List<Integer> xs = plan.appenders();
        List<Series> series = new ArrayList<>();
        series.add(new Series("batpak", d == Durability.FSYNC ? "batpak EVERY_COMMIT" : "batpak NONE",
                new Color(0xD62728), 4f, false));
        if (d == Durability.FSYNC) {
            series.add(new Series("raw-group-write", "raw: one write of N frames + force (N = batpak group)",
                    new Color(0x555555), 2.5f, true));
            series.add(new Series("raw-force-batched", "raw: N writes + force (N = batpak group)",
                    new Color(0xAAAAAA), 2.5f, true));
            series.add(new Series("sqlite-wal-full", "SQLite WAL synchronous=FULL", new Color(0x1F77B4), 2.5f, false));
        } else {
            series.add(new Series("chronicle-queue", "Chronicle Queue (no fsync)", new Color(0x2CA02C), 2.5f, false));
            series.add(new Series("h2", "H2 MVStore (no fsync per commit)", new Color(0x9467BD), 2.5f, false));
            series.add(new Series("sqlite-wal-normal", "SQLite WAL synchronous=NORMAL", new Color(0x1F77B4), 2.5f, false));
        }
        Cell rawLine = report.matrix.cell(AppendMatrix.rawScenario(d, payload),
                d == Durability.FSYNC ? "raw-force-each" : "raw-no-force");

        // Value range over everything drawn.
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (Series s : series) {
            for (int a : xs) {
                Cell c = report.matrix.cell(new Scenario(d, a, payload, 1), s.system());
                if (c != null && c.ok() && c.eventsPerSec() > 0) {
                    lo = Math.min(lo, c.eventsPerSec());
                    hi = Math.max(hi, c.eventsPerSec());
                }
            }
        }
        if (rawLine != null && rawLine.ok()) {
            lo = Math.min(lo, rawLine.eventsPerSec());
            hi = Math.max(hi, rawLine.eventsPerSec());
        }
        if (hi == 0) {
            lo = 1;
            hi = 10;
        }
        double logLo = Math.floor(Math.log10(lo));
        double logHi = Math.ceil(Math.log10(hi));
        if (logHi <= logLo) {
            logHi = logLo + 1;
        }

        int left = x0 + 95;
        int right = x0 + PANEL_W - 30;
        int top = y0 + 50;
        int bottom = y0 + PANEL_H - 175;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        g.drawString((d == Durability.FSYNC ? "Forced to disk per acknowledgement" : "No fsync per acknowledgement")
                + ", " + payload + " B payloads", x0 + 20, y0 + 30);

        // Grid and y labels (decades, with 2x and 5x minor lines).
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        FontMetrics fm = g.getFontMetrics();
        for (double e = logLo; e <= logHi + 1e-9; e++) {
            for (int m : new int[] {1, 2, 5}) {
                double v = Math.log10(m) + e;
                if (v > logHi + 1e-9) {
                    continue;
                }
                int y = yFor(v, logLo, logHi, top, bottom);
                g.setColor(m == 1 ? new Color(0xCCCCCC) : new Color(0xEEEEEE));
                g.drawLine(left, y, right, y);
                if (m == 1 || (logHi - logLo) <= 2) {
                    g.setColor(Color.DARK_GRAY);
                    String label = label(Math.pow(10, v));
                    g.drawString(label, left - 8 - fm.stringWidth(label), y + 5);
                }
            }
        }
        // X axis: appenders, evenly spaced (they are 1, 16, 64, 256: roughly log-spaced).
        int n = xs.size();
        int[] px = new int[n];
        for (int i = 0; i < n; i++) {
            px[i] = n == 1 ? (left + right) / 2 : left + 40 + i * (right - left - 80) / (n - 1);
            g.setColor(new Color(0xEEEEEE));
            g.drawLine(px[i], top, px[i], bottom);
            g.setColor(Color.DARK_GRAY);
            String label = String.valueOf(xs.get(i));
            g.drawString(label, px[i] - fm.stringWidth(label) / 2, bottom + 20);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, right - left, bottom - top);
        g.drawString("concurrent appenders", (left + right) / 2 - fm.stringWidth("concurrent appenders") / 2, bottom + 42);
        Graphics2D rot = (Graphics2D) g.create();
        rot.rotate(-Math.PI / 2);
        rot.drawString("events/s (log scale)", -(top + bottom) / 2 - 60, x0 + 22);
        rot.dispose();

        Stroke old = g.getStroke();
        if (rawLine != null && rawLine.ok()) {
            int y = yFor(Math.log10(rawLine.eventsPerSec()), logLo, logHi, top, bottom);
            g.setColor(new Color(0x888888));
            g.setStroke(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {3f, 5f}, 0f));
            g.drawLine(left, y, right, y);
        }
        for (Series s : series) {
            g.setColor(s.color());
            g.setStroke(s.dashed()
                    ? new BasicStroke(s.width(), BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {10f, 6f}, 0f)
                    : new BasicStroke(s.width(), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            int prevX = -1;
            int prevY = -1;
            for (int i = 0; i < n; i++) {
                Cell c = report.matrix.cell(new Scenario(d, xs.get(i), payload, 1), s.system());
                if (c == null || !c.ok() || c.eventsPerSec() <= 0) {
                    prevX = -1;
                    continue;
                }
                int y = yFor(Math.log10(c.eventsPerSec()), logLo, logHi, top, bottom);
                if (prevX >= 0) {
                    g.drawLine(prevX, prevY, px[i], y);
                }
                g.fillOval(px[i] - 5, y - 5, 10, 10);
                prevX = px[i];
                prevY = y;
            }
        }
        g.setStroke(old);

        // Legend under the plot.
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
        int ly = bottom + 70;
        for (Series s : series) {
            g.setColor(s.color());
            g.setStroke(new BasicStroke(s.width()));
            g.drawLine(left, ly - 5, left + 36, ly - 5);
            g.setStroke(old);
            g.setColor(Color.BLACK);
            g.drawString(s.label(), left + 46, ly);
            ly += 22;
        }
        if (rawLine != null && rawLine.ok()) {
            g.setColor(new Color(0x888888));
            g.setStroke(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {3f, 5f}, 0f));
            g.drawLine(left, ly - 5, left + 36, ly - 5);
            g.setStroke(old);
            g.setColor(Color.BLACK);
            g.drawString((d == Durability.FSYNC ? "raw: write + force each frame, one thread (" : "raw: write, never force, one thread (")
                    + label(rawLine.eventsPerSec()) + "/s)", left + 46, ly);
        }
    }

    private static int yFor(double logV, double logLo, double logHi, int top, int bottom) {
        return (int) Math.round(bottom - (logV - logLo) / (logHi - logLo) * (bottom - top));
    }

    static String label(double v) {
        if (v >= 1e6) {
            return trim(v / 1e6) + "M";
        }
        if (v >= 1e3) {
            return trim(v / 1e3) + "k";
        }
        return trim(v);
    }

    private static String trim(double v) {
        return v >= 100 || Math.abs(v - Math.round(v)) < 0.05 ? String.valueOf(Math.round(v))
                : String.format(java.util.Locale.ROOT, "%.1f", v);
    }
}
