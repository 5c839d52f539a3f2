package io.batpak.streams;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running a main class of the test classpath with this JVM's {@code --add-opens}. Complete stdout
 * lines are queued (a line cut off by a kill is dropped); stderr goes to a log file. {@link #close()} kills it.
 */
final class ChildProcess implements AutoCloseable {
    /** Queued after the last stdout line. */
    static final String EOF = "\u0000EOF";

    private final Process process;
    private final Path stderrLog;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private ChildProcess(Process process, Path stderrLog) {
        this.process = process;
        this.stderrLog = stderrLog;
        Thread reader = new Thread(this::readStdout, "child-stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    static ChildProcess start(Class<?> mainClass, Path stderrLog, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> jvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (int i = 0; i < jvmArgs.size(); i++) {
            String a = jvmArgs.get(i);
            if (a.startsWith("--add-opens=")) {
                cmd.add(a);
            } else if (a.equals("--add-opens") && i + 1 < jvmArgs.size()) {
                cmd.add(a);
                cmd.add(jvmArgs.get(++i));
            }
        }
        cmd.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), mainClass.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.to(stderrLog.toFile()))
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectOutput(ProcessBuilder.Redirect.PIPE);
        return new ChildProcess(pb.start(), stderrLog);
    }

    private void readStdout() {
        try (InputStream in = process.getInputStream()) {
            byte[] buf = new byte[8192];
            StringBuilder partial = new StringBuilder();
            int n;
            while ((n = in.read(buf)) >= 0) {
                int from = 0;
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        partial.append(new String(buf, from, i - from, StandardCharsets.UTF_8));
                        lines.add(partial.toString());
                        partial.setLength(0);
                        from = i + 1;
                    }
                }
                partial.append(new String(buf, from, n - from, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            lines.add("IOERROR " + e);
        } finally {
            lines.add(EOF);
        }
    }

    /**
     * The next stdout line.
     *
     * @throws AssertionError on timeout or at the end of the output, with the child's stderr
     */
    String nextLine(Duration timeout) throws InterruptedException {
        String line = lines.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (line == null) {
            throw new AssertionError("child " + process.pid() + " printed nothing within " + timeout + "\n"
                    + stderrTail());
        }
        if (line.equals(EOF)) {
            lines.add(EOF);
            throw new AssertionError("child " + process.pid() + " ended its output (alive=" + process.isAlive()
                    + ")\n" + stderrTail());
        }
        return line;
    }

    /** The next stdout line, or null at the end of the output (after the child died). */
    String nextLineOrEof() throws InterruptedException {
        String line = lines.poll(30, TimeUnit.SECONDS);
        if (line == null) {
            throw new AssertionError("the stdout of child " + process.pid() + " did not end within 30 s");
        }
        if (line.equals(EOF)) {
            lines.add(EOF);
            return null;
        }
        return line;
    }

    /** SIGKILL (destroyForcibly) and wait until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("child " + process.pid() + " did not die within 30 s of SIGKILL");
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String stderrTail() {
        try {
            List<String> all = Files.readAllLines(stderrLog, StandardCharsets.UTF_8);
            int from = Math.max(0, all.size() - 60);
            return "--- stderr of the child (" + stderrLog + ") ---\n" + String.join("\n", all.subList(from, all.size()));
        } catch (IOException e) {
            return "(no stderr log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // the child is gone
        }
    }
}
