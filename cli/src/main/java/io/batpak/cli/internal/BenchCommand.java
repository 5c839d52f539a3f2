package io.batpak.cli.internal;

import io.batpak.cli.BatpakCli;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "bench", mixinStandardHelpOptions = true,
        header = "Run the benchmark harness.",
        description = "Runs the benchmark harness (bench/run.sh of the batpak source tree, which builds it when needed)"
                + " and prints where its results were written. Full mode takes about 20 minutes, --quick under 4.")
public final class BenchCommand extends CliCommand {
    @Option(names = "--quick", description = "the target scenarios only, 3 rounds")
    boolean quick;

    @Option(names = "--out", paramLabel = "DIR", description = "where the results go (default bench/results)")
    Path outDir;

    @Option(names = "--source", paramLabel = "DIR",
            description = "the batpak source tree (default: the one this tool was built in, else the current"
                    + " directory)")
    Path source;

    @Parameters(paramLabel = "HARNESS-OPTION", arity = "0..*",
            description = "further options for the harness (after --), as --rounds 5")
    List<String> passThrough = new ArrayList<>();

    @Override
    int execute() throws IOException, InterruptedException {
        Path root = source != null ? source : defaultSource();
        Path script = root.resolve("bench").resolve("run.sh");
        if (!Files.isRegularFile(script)) {
            throw new CliException(BatpakCli.USAGE, "no benchmark harness at " + script + " (give the batpak source"
                    + " tree with --source)");
        }
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
        if (quick) {
            cmd.add("--quick");
        }
        Path results = outDir != null ? outDir.toAbsolutePath() : root.resolve("bench").resolve("results");
        if (outDir != null) {
            cmd.add("--out");
            cmd.add(results.toString());
        }
        cmd.addAll(passThrough);
        Process p = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true).start();
        try (InputStream in = p.getInputStream()) {
            new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8).transferTo(out());
        }
        int rc = p.waitFor();
        out().flush();
        if (rc != 0) {
            throw new CliException(BatpakCli.PROBLEM, "the benchmark harness failed with exit code " + rc);
        }
        out().println("results written to " + results.resolve("latest.md") + " (and latest.json, latest.png)");
        return BatpakCli.OK;
    }

    /** The source tree of the jar (cli/target/batpak.jar lies two levels below it), else the working directory. */
    private static Path defaultSource() {
        try {
            Path jar = Path.of(BenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path tree = jar.getParent() == null ? null : jar.getParent().getParent();
            if (tree != null && tree.getParent() != null
                    && Files.isRegularFile(tree.getParent().resolve("bench").resolve("run.sh"))) {
                return tree.getParent();
            }
        } catch (java.net.URISyntaxException | RuntimeException e) {
            // fall back to the working directory
        }
        return Path.of("").toAbsolutePath();
    }
}
