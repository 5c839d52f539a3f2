package io.batpak.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShoppingCartsTest {
    @TempDir
    Path dir;

    /** The example checks its own results and throws otherwise; its report says what it found. */
    @Test
    void theExampleRecoversTheCartsAndReadsTheSameEventsThreeWays() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ShoppingCarts.run(dir, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String report = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(report.contains("alice recovered: {apple=1, bread=2, cheese=3, dates=4}"), report);
        assertTrue(report.contains("eventsByTag(\"cart\"): 12 events, offsets Sequence(0) .. Sequence(11)"), report);
        assertTrue(report.contains("verify: every CRC"), report);
    }
}
