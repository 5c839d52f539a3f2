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
 * Runs the whole harness at tiny sizes: every system opens, appends, closes; the reads and the stream delivery
 * measurements run; the JSON, Markdown and PNG are written. Asserts that the harness works and its counts add up,
 * nothing about speed.
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
        assertEquals(8, root.get("targets").size());

        JsonNode streams = root.get("streams");
        assertNotNull(streams, "no stream delivery results");
        assertFalse(streams.has("errors"), "stream delivery errors: " + streams.get("errors"));
        Plan smoke = Plan.smoke();
        assertEquals(2, streams.get("fanout").size());
        for (JsonNode f : streams.get("fanout")) {
            assertEquals(smoke.fanoutSubscribers(), f.get("subscribers").asInt());
            assertEquals(smoke.fanoutEvents(), f.get("eventsPerMeasurement").asInt());
            assertTrue(f.get("deliveriesPerSec").asDouble() > 0);
            assertTrue(f.get("appendRatioWithToWithout").asDouble() > 0);
            assertTrue(f.get("appendToDeliveryLatencyMicros").get("p99").isNumber());
            assertTrue(f.get("paced").get("appendToDeliveryLatencyMicros").get("p50").isNumber());
            assertTrue(f.get("liveCursorPaced").get("appendToDeliveryLatencyMicros").get("p99").isNumber());
            // Every subscriber got or dropped every event: delivered + dropped = subscribers x events.
            long delivered = f.get("deliveredRounds").get(0).asLong();
            long dropped = f.get("droppedRounds").get(0).asLong();
            assertEquals((long) smoke.fanoutSubscribers() * smoke.fanoutEvents(), delivered + dropped, f.toString());
        }
        assertEquals(2, streams.get("stalledSubscriber").size());
        for (JsonNode st : streams.get("stalledSubscriber")) {
            assertTrue(st.get("eventsPerSecWithout").asDouble() > 0);
            assertTrue(st.get("eventsPerSecWithStalledSubscriber").asDouble() > 0);
            assertTrue(st.get("ratio").isNumber());
            long buffered = st.get("stalledBufferedRounds").get(0).asLong();
            long dropped = st.get("stalledDroppedRounds").get(0).asLong();
            long stored = st.get("eventsStoredRounds").get(0).asLong();
            assertTrue(stored > 0);
            assertTrue(buffered <= st.get("stalledSubscriberBufferSize").asLong());
            assertEquals(stored, buffered + dropped, st.toString());
        }
        JsonNode replay = streams.get("cursorReplay");
        assertEquals(smoke.cursorEvents(), replay.get("events").asInt());
        assertTrue(replay.get("sequentialReplaySameStoreEventsPerSec").asDouble() > 0);
        assertTrue(replay.get("replaySourceSameStoreEventsPerSec").asDouble() > 0);
        assertTrue(replay.get("cursorIndexPagesOnlyEventsPerSec").asDouble() > 0);
        assertEquals(2, replay.get("batches").size());
        for (JsonNode b : replay.get("batches")) {
            assertTrue(b.get("eventsPerSec").asDouble() > 0);
            assertTrue(b.get("ratioToSequentialReplaySameStore").isNumber());
            assertTrue(b.get("ratioToReadsReplay").isNumber());
        }

        String md = Files.readString(out.latestMarkdown());
        assertTrue(md.contains("| target |"));
        assertTrue(md.contains("## Stream delivery"));
        BufferedImage png = ImageIO.read(out.latestPng().toFile());
        assertNotNull(png);
        assertTrue(png.getWidth() > 1000 && png.getHeight() > 500);
        assertTrue(Files.exists(out.json()));
    }
}
