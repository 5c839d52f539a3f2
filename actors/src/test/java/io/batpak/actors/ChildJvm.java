package io.batpak.actors;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import java.util.function.Predicate;

/**
 * A child JVM running a main class of the test classpath, for tests that need a second process (kill -9,
 * cross-process locking). Its stdout is read on a daemon thread and split into complete lines only: a line the
 * child was cut off in the middle of (no trailing newline before EOF) is dropped, never half-parsed. Its stderr
 * goes to a log file. {@link #close()} kills it (SIGKILL) if it is still alive.
 */
public final class ChildJvm implements AutoCloseable {
    /** Marks the end of the child's stdout in {@link #lines}. */
    public static final String EOF = "\u0000EOF";

    private final Process process;
    private final Path stderrLog;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread reader;

    private ChildJvm(Process process, Path stderrLog) {
        this.process = process;
        this.stderrLog = stderrLog;
        this.reader = new Thread(this::readStdout, "child-stdout-" + process.pid());
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /**
     * Starts {@code java [same --add-opens] -Xmx256m -cp <test classpath> mainClass args}.
     */
    public static ChildJvm start(Class<?> mainClass, Path stderrLog, String... args) throws IOException {
        return start(List.of(), mainClass, stderrLog, args);
    }

    /** {@link #start(Class, Path, String...)} with more JVM options after the defaults (a later -Xmx wins). */
    public static ChildJvm start(List<String> jvmOptions, Class<?> mainClass, Path stderrLog, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(addOpensOfThisJvm());
        cmd.add("-Xmx256m");
        cmd.addAll(jvmOptions);
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectError(ProcessBuilder.Redirect.to(stderrLog.toFile()));
        pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        pb.redirectOutput(ProcessBuilder.Redirect.PIPE);
        return new ChildJvm(pb.start(), stderrLog);
    }

    /** The {@code --add-opens} options this JVM was started with, so the child sees the same module setup. */
    static List<String> addOpensOfThisJvm() {
        List<String> in = ManagementFactory.getRuntimeMXBean().getInputArguments();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            String a = in.get(i);
            if (a.startsWith("--add-opens=")) {
                out.add(a);
            } else if (a.equals("--add-opens") && i + 1 < in.size()) {
                out.add(a);
                out.add(in.get(++i));
            }
        }
        if (out.isEmpty()) {
            out.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
            out.add("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
        }
        return out;
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
            // Whatever is in 'partial' was cut off by the kill: not a complete line, dropped.
        } catch (IOException e) {
            lines.add("IOERROR " + e);
        } finally {
            lines.add(EOF);
        }
    }

    Process process() {
        return process;
    }

    long pid() {
        return process.pid();
    }

    /** The next complete stdout line, {@link #EOF} after the last one, or null after {@code timeout}. */
    public String poll(Duration timeout) throws InterruptedException {
        return lines.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The next line without waiting, or null. */
    String poll() {
        return lines.poll();
    }

    /**
     * Waits for a line matching {@code wanted}; lines before it go to {@code skipped} (may be null).
     *
     * @throws AssertionError on timeout or EOF, with the child's stderr
     */
    public String awaitLine(Predicate<String> wanted, Duration timeout, List<String> skipped) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("child " + pid() + " printed no expected line within " + timeout
                        + "\n" + stderrTail());
            }
            if (line.equals(EOF)) {
                lines.add(EOF);
                throw new AssertionError("child " + pid() + " ended its output (alive=" + process.isAlive()
                        + ") before the expected line\n" + stderrTail());
            }
            if (wanted.test(line)) {
                return line;
            }
            if (skipped != null) {
                skipped.add(line);
            }
        }
    }

    /** The next stdout line, failing on timeout or at the end of the output (with the child's stderr). */
    public String nextLine(Duration timeout) throws InterruptedException {
        return awaitLine(line -> true, timeout, null);
    }

    /**
     * For the child's main: halts the child when its stdin reaches EOF (the parent died or closed it) or after
     * {@code limit}, so no child outlives its test.
     */
    public static void haltWhenOrphaned(String name, Duration limit) {
        Thread stdin = new Thread(() -> {
            try (InputStream in = System.in) {
                while (in.read() >= 0) {
                    // nothing is expected on stdin
                }
            } catch (IOException ignored) {
                // parent gone
            }
            Runtime.getRuntime().halt(3);
        }, name + "-stdin-watchdog");
        stdin.setDaemon(true);
        stdin.start();
        Thread timer = new Thread(() -> {
            try {
                TimeUnit.NANOSECONDS.sleep(limit.toNanos());
            } catch (InterruptedException ignored) {
                // halt anyway
            }
            Runtime.getRuntime().halt(4);
        }, name + "-time-limit");
        timer.setDaemon(true);
        timer.start();
    }

    /** Writes a line to the child's stdin. */
    public void send(String line) throws IOException {
        OutputStream os = process.getOutputStream();
        os.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        os.flush();
    }

    /** SIGKILL (on Linux) and wait for the process to be gone; returns its exit value. */
    public int kill(Duration timeout) throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("child " + pid() + " did not die within " + timeout + " of SIGKILL");
        }
        return process.exitValue();
    }

    /** Waits for the stdout reader to reach EOF (the child is dead or closed its stdout). */
    void awaitStdoutEnd(Duration timeout) throws InterruptedException {
        reader.join(timeout.toMillis());
        if (reader.isAlive()) {
            throw new AssertionError("stdout of child " + pid() + " not at EOF within " + timeout);
        }
    }

    /** The last lines of the child's stderr log, for failure messages. */
    public String stderrTail() {
        try {
            List<String> all = Files.readAllLines(stderrLog, StandardCharsets.UTF_8);
            int from = Math.max(0, all.size() - 60);
            return "--- stderr of child (" + stderrLog + ", last " + (all.size() - from) + " lines) ---\n"
                    + String.join("\n", all.subList(from, all.size()));
        } catch (IOException e) {
            return "(no stderr log: " + e + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // the child is gone
        }
    }
}
