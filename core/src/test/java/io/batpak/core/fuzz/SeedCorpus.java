package io.batpak.core.fuzz;

import io.batpak.core.internal.cursor.CheckpointStore;
import io.batpak.core.internal.index.IndexCheckpoint;
import io.batpak.core.internal.segment.FrameView;
import io.batpak.core.internal.segment.SegmentFiles;
import io.batpak.core.internal.segment.SegmentHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * Writes the committed seed corpus of the fuzz targets from a small real store:
 * {@code java -cp <test classpath> io.batpak.core.fuzz.SeedCorpus core/src/test/resources}. Each seed's first
 * byte is the mode byte its target documents.
 */
public final class SeedCorpus {
    private SeedCorpus() {
    }

    public static void main(String[] args) throws IOException {
        Path resources = Path.of(args[0]).resolve("io/batpak/core/fuzz");
        Path store = FuzzStores.scratch("seeds");
        FuzzStores.write(store, 12);
        byte[] segment = Files.readAllBytes(SegmentFiles.list(store).get(0));
        byte[] frames = Arrays.copyOfRange(segment, SegmentHeader.LENGTH, segment.length);

        Path recovery = resources.resolve("RecoveryFuzzTestInputs/recoveryScan");
        seed(recovery, "frames-normal-open", (byte) 2, frames);
        seed(recovery, "frames-read-only-open", (byte) 3, frames);
        seed(recovery, "whole-file", (byte) 0, segment);
        seed(recovery, "torn-tail", (byte) 2, Arrays.copyOf(frames, frames.length - 40));
        byte[] flipped = frames.clone();
        flipped[flipped.length / 2] ^= 0x10;
        seed(recovery, "bit-flip", (byte) 2, flipped);

        byte[] ckpt = Files.readAllBytes(store.resolve(IndexCheckpoint.FILE_NAME));
        Path index = resources.resolve("CheckpointFuzzTestInputs/indexCheckpoint");
        seed(index, "body-with-valid-header", (byte) 1, Arrays.copyOfRange(ckpt, 24, ckpt.length));
        seed(index, "whole-file", (byte) 0, ckpt);

        new CheckpointStore(store).save("seed", "entity=*|scope=*|kind=*|seq=0..*", 7);
        Path cursor = resources.resolve("CheckpointFuzzTestInputs/cursorCheckpoint");
        Files.createDirectories(cursor);
        Files.write(cursor.resolve("saved-checkpoint"),
                Files.readAllBytes(store.resolve(CheckpointStore.DIRECTORY_NAME).resolve("seed" + CheckpointStore.SUFFIX)));

        FrameView v = new FrameView().wrap(ByteBuffer.wrap(frames).order(ByteOrder.LITTLE_ENDIAN), 0);
        byte[] frame = Arrays.copyOf(frames, (int) v.totalLength());
        Path frameDir = resources.resolve("FrameFuzzTestInputs/frameDecoder");
        seed(frameDir, "valid-frame", (byte) 0, frame);
        byte[] damaged = frame.clone();
        damaged[100] ^= 1;
        seed(frameDir, "damaged-frame-recrc", (byte) 1, damaged);

        Path validation = resources.resolve("FrameFuzzTestInputs/validation");
        Random r = new Random(1);
        for (int i = 0; i < 4; i++) {
            byte[] b = new byte[64 + 64 * i];
            r.nextBytes(b);
            seed(validation, "random-" + i, null, b);
        }
        seed(validation, "names", null, "order:42\u0000shop\u0000\u0001\u0000\u0000\u0000\u0002".getBytes(
                java.nio.charset.StandardCharsets.UTF_8));
    }

    private static void seed(Path dir, String name, Byte mode, byte[] body) throws IOException {
        Files.createDirectories(dir);
        byte[] out = mode == null ? body : new byte[body.length + 1];
        if (mode != null) {
            out[0] = mode;
            System.arraycopy(body, 0, out, 1, body.length);
        }
        Files.write(dir.resolve(name), out);
    }
}
