package io.batpak.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.HdrHistogram.Histogram;

/** Every round's figures for one system in one scenario; NaN where a round has no figure. */
final class Cell {
    final Scenario scenario;
    final String system;
    final String configuration;
    final double[] eventsPerSec;
    final double[] p50Micros;
    final double[] p99Micros;
    final double[] p999Micros;
    final double[] fsyncsPerEvent;
    final double[] groupCommitSize;
    /** raw-force-batched only: the events per force it ran with in each round. */
    final double[] forceEvery;
    final List<String> errors = new ArrayList<>();

    Cell(Scenario scenario, String system, String configuration, int rounds) {
        this.scenario = scenario;
        this.system = system;
        this.configuration = configuration;
        eventsPerSec = nan(rounds);
        p50Micros = nan(rounds);
        p99Micros = nan(rounds);
        p999Micros = nan(rounds);
        fsyncsPerEvent = nan(rounds);
        groupCommitSize = nan(rounds);
        forceEvery = nan(rounds);
    }

    private static double[] nan(int n) {
        double[] a = new double[n];
        Arrays.fill(a, Double.NaN);
        return a;
    }

    void add(int round, Driver.Sample s) {
        eventsPerSec[round] = s.eventsPerSec();
        Histogram h = s.latencyNanos();
        if (h.getTotalCount() > 0) {
            p50Micros[round] = h.getValueAtPercentile(50) / 1e3;
            p99Micros[round] = h.getValueAtPercentile(99) / 1e3;
            p999Micros[round] = h.getValueAtPercentile(99.9) / 1e3;
        }
        Long fsyncs = s.counterDeltas().get("fsyncs");
        Long appends = s.counterDeltas().get("appends");
        Long groups = s.counterDeltas().get("groupCommits");
        if (fsyncs != null && appends != null && appends > 0) {
            fsyncsPerEvent[round] = fsyncs / (double) appends;
        }
        if (groups != null && appends != null && groups > 0) {
            groupCommitSize[round] = appends / (double) groups;
        }
    }

    static List<Double> list(double[] a) {
        List<Double> l = new ArrayList<>(a.length);
        for (double d : a) {
            l.add(d);
        }
        return l;
    }

    double eventsPerSec() {
        return Stats.median(list(eventsPerSec));
    }

    double p50() {
        return Stats.median(list(p50Micros));
    }

    double p99() {
        return Stats.median(list(p99Micros));
    }

    double p999() {
        return Stats.median(list(p999Micros));
    }

    double fsyncsPerEvent() {
        return Stats.median(list(fsyncsPerEvent));
    }

    double groupCommitSize() {
        return Stats.median(list(groupCommitSize));
    }

    double forceEvery() {
        return Stats.median(list(forceEvery));
    }

    boolean ok() {
        return !Double.isNaN(eventsPerSec());
    }

    /** Median over rounds of this cell's events/s divided by the other's in the same round. */
    double pairedRatio(Cell other) {
        return pairedRatio(eventsPerSec, other.eventsPerSec);
    }

    static double pairedRatio(double[] a, double[] b) {
        List<Double> r = new ArrayList<>();
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            if (!Double.isNaN(a[i]) && !Double.isNaN(b[i]) && b[i] != 0) {
                r.add(a[i] / b[i]);
            }
        }
        return Stats.median(r);
    }
}
