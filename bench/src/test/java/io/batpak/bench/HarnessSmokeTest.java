package io.batpak.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the whole harness at tiny sizes: every system opens, appends, closes; the reads run; the JSON, Markdown and
 * PNG are written. Asserts that the harness works, nothing about speed.
 */
class HarnessSmokeTest {

    @Test
    void smokeRunMeasuresEverySystemAndWritesResults(@TempDir Path tmp) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Harness.Output out;
        try (PrintStream log = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            out = Harness.run(new String[] {"--smoke", "--out", tmp.resolve("results").toString(),
                    "--data", tmp.resolve("data").toString()}, log);
        }
        String text = buf.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        assertFalse(text.contains("FAILED"), "a measurement failed:\n" + text);

        JsonNode root = new ObjectMapper().readTree(out.latestJson().toFile());
        assertEquals("smoke", root.get("mode").asText());
        Set<String> systems = new HashSet<>();
        for (JsonNode scenario : root.get("scenarios")) {
            for (JsonNode r : scenario.get("results")) {
                assertTrue(r.get("eventsPerSec").isNumber(), "no figure for " + r.get("system") + " in "
                        + scenario.get("id"));
                assertTrue(r.get("eventsPerSec").asDouble() > 0);
                systems.add(r.get("system").asText());
            }
        }
        assertTrue(systems.containsAll(Set.of("batpak", "sqlite-wal-full", "sqlite-wal-normal", "h2", "chronicle-queue",
                "raw-force-each", "raw-force-batched", "raw-no-force", "raw-batch-force", "raw-batch-no-force")),
                "systems measured: " + systems);
        JsonNode reads = root.get("reads");
        assertNotNull(reads);
        assertTrue(reads.get("replayEventsPerSec").asDouble() > 0);
        assertTrue(reads.get("openWithCheckpointMillis").isNumber());
        assertEquals(6, root.get("targets").size());

        assertTrue(Files.readString(out.latestMarkdown()).contains("| target |"));
        BufferedImage png = ImageIO.read(out.latestPng().toFile());
        assertNotNull(png);
        assertTrue(png.getWidth() > 1000 && png.getHeight() > 500);
        assertTrue(Files.exists(out.json()));
    }
}
