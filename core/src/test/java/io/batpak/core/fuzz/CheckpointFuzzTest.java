package io.batpak.core.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.batpak.core.error.CursorCheckpointException;
import io.batpak.core.error.UnsupportedFormatException;
import io.batpak.core.internal.cursor.CheckpointStore;
import io.batpak.core.internal.index.EventIndex;
import io.batpak.core.internal.index.IdempotencyIndex;
import io.batpak.core.internal.index.IndexCheckpoint;
import io.batpak.core.internal.segment.SegmentFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.zip.CRC32C;

/**
 * The index checkpoint and cursor checkpoint decoders over arbitrary bytes. Property: a decoder returns a
 * typed result or throws its typed error, never anything else (no unchecked exception, no allocation sized by a
 * lie).
 */
class CheckpointFuzzTest {
    private static final Path STORE = FuzzStores.scratch("checkpoint");
    private static final List<Path> SEGMENTS;

    static {
        try {
            FuzzStores.write(STORE, 12);
            SEGMENTS = SegmentFiles.list(STORE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Bit 0 of the first byte: the harness wraps the rest in a valid header with a matching CRC, so the body
     * decoder is reached; else the input is the whole file.
     */
    @FuzzTest(maxDuration = FuzzStores.DURATION)
    void indexCheckpoint(byte[] input) throws IOException {
        if (input.length < 1) {
            return;
        }
        byte[] file;
        if ((input[0] & 1) != 0) {
            int body = input.length - 1;
            ByteBuffer b = ByteBuffer.allocate(24 + body).order(ByteOrder.LITTLE_ENDIAN);
            b.put("BATPAKCK".getBytes(StandardCharsets.US_ASCII)).putShort((short) 2).putShort((short) 0).putInt(0)
                    .putLong(body).put(input, 1, body);
            file = b.array();
            CRC32C crc = new CRC32C();
            crc.update(file, 24, body);
            crc.update(file, 0, 12);
            crc.update(file, 16, 8);
            b.putInt(12, (int) crc.getValue());
        } else {
            file = java.util.Arrays.copyOfRange(input, 1, input.length);
        }
        Files.write(STORE.resolve(IndexCheckpoint.FILE_NAME), file);
        try {
            IndexCheckpoint.Loaded loaded = IndexCheckpoint.load(STORE, SEGMENTS, new EventIndex(),
                    new IdempotencyIndex(1000));
            assertTrue(loaded.eventCount() >= 0);
        } catch (IndexCheckpoint.Unusable unusable) {
            // typed: the open scans instead
        }
    }

    @FuzzTest(maxDuration = FuzzStores.DURATION)
    void cursorCheckpoint(byte[] input) throws IOException {
        Path dir = STORE.resolve(CheckpointStore.DIRECTORY_NAME);
        Files.createDirectories(dir);
        Files.write(dir.resolve("fuzz" + CheckpointStore.SUFFIX), input);
        try {
            OptionalLong position = new CheckpointStore(STORE).load("fuzz", "entity=*|scope=*|kind=*|seq=0..*");
            assertTrue(position.isEmpty() || position.getAsLong() >= -1, "a position is -1 or an event");
        } catch (CursorCheckpointException | UnsupportedFormatException typed) {
            // typed refusal
        }
    }
}
