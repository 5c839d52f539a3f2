package io.batpak.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrderReadModelTest {
    @TempDir
    Path dir;

    /** The example compares the model with what it appended and throws on any difference. */
    @Test
    void theReadModelCountsEveryOrderOnceAcrossARestart() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OrderReadModel.run(dir, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String report = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(report.contains("every order counted exactly once: 1500 orders"), report);
        assertTrue(report.contains("restarted after offset"), report);
    }
}
