package io.batpak.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Runs the JMH micro-benchmarks of {@code io.batpak.bench.jmh} and keeps their scores. */
final class Micro {
    /** One benchmark score. */
    record Score(String benchmark, Map<String, String> params, double score, double error, String unit) {
    }

    private Micro() {
    }

    static List<Score> run(int warmupIterations, int measureIterations) throws RunnerException {
        Options opts = new OptionsBuilder()
                .include("io\\.batpak\\.bench\\.jmh\\..*")
                .forks(1)
                .warmupIterations(warmupIterations)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(measureIterations)
                .measurementTime(TimeValue.seconds(1))
                .shouldFailOnError(true)
                .build();
        Collection<RunResult> results = new Runner(opts).run();
        List<Score> out = new ArrayList<>();
        for (RunResult r : results) {
            Map<String, String> params = new TreeMap<>();
            for (String k : r.getParams().getParamsKeys()) {
                params.put(k, r.getParams().getParam(k));
            }
            String name = r.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
            out.add(new Score(name, params, r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError(),
                    r.getPrimaryResult().getScoreUnit()));
        }
        return out;
    }
}
