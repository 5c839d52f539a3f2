package io.batpak.core.internal.cursor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.batpak.core.Region;
import io.batpak.core.error.CheckpointAheadOfStoreException;
import io.batpak.core.error.CheckpointInUseException;
import io.batpak.core.error.CheckpointRegionMismatchException;
import io.batpak.core.error.CorruptCheckpointException;
import io.batpak.core.error.CursorCheckpointException;
import io.batpak.core.error.InvalidCheckpointIdException;
import io.batpak.core.error.InvalidInputException;
import io.batpak.core.error.StoreException;
import io.batpak.core.error.UnsupportedFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {
    private static final String REGION = "entity=order-|scope=*|kind=*|seq=0..*";
    private static final String OTHER_REGION = "entity=invoice-|scope=*|kind=*|seq=0..*";

    @TempDir
    Path dir;

    private static void recomputeCrc(byte[] b) {
        int end = b.length - 4;
        CRC32C crc = new CRC32C();
        crc.update(b, 0, end);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(end, (int) crc.getValue());
    }

    private static String longUnicodeIdentity() {
        StringBuilder sb = new StringBuilder("entity=");
        // 3-byte and 4-byte (surrogate pair) UTF-8 sequences, to well past a u16 of chars but within 4096 bytes.
        while (sb.toString().getBytes(StandardCharsets.UTF_8).length < 4000) {
            sb.append("日本\uD83D\uDE00é");
        }
        return sb.toString();
    }

    @Test
    void roundTrip() {
        CheckpointStore store = new CheckpointStore(dir);
        String unicode = longUnicodeIdentity();
        long[] positions = {-1, 0, 1, 42, 1L << 40, Long.MAX_VALUE - 1, Long.MAX_VALUE};
        for (long p : positions) {
            store.save("c1", REGION, p);
            assertEquals(OptionalLong.of(p), store.load("c1", REGION));
            store.save("uni", unicode, p);
            assertEquals(OptionalLong.of(p), store.load("uni", unicode));
        }
        // A fresh instance on the same directory sees the same checkpoints.
        assertEquals(OptionalLong.of(Long.MAX_VALUE), new CheckpointStore(dir).load("c1", REGION));
    }

    @Test
    void realRegionIdentityRoundTrips() {
        CheckpointStore store = new CheckpointStore(dir);
        String identity = Region.all().identity();
        store.save("all", identity, 7);
        assertEquals(OptionalLong.of(7), store.load("all", identity));
    }

    @Test
    void fileFollowsTheDocumentedLayout() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        long before = System.currentTimeMillis() * 1000;
        store.save("layout", "abc", 0x0102030405060708L);
        long after = System.currentTimeMillis() * 1000 + 1000;
        Path file = dir.resolve("cursors").resolve("layout.ckpt");
        assertEquals(file, store.path("layout"));
        byte[] bytes = Files.readAllBytes(file);
        assertEquals(32 + 3, bytes.length);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertArrayEquals("BPKC".getBytes(StandardCharsets.US_ASCII), Arrays.copyOfRange(bytes, 0, 4));
        assertEquals(1, b.getShort(4));
        assertEquals(0, b.getShort(6));
        assertEquals(0x0102030405060708L, b.getLong(8));
        long savedAt = b.getLong(16);
        assertTrue(savedAt >= before && savedAt <= after, "savedAt " + savedAt);
        assertEquals(3, b.getInt(24));
        assertEquals("abc", new String(bytes, 28, 3, StandardCharsets.UTF_8));
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, 31);
        assertEquals((int) crc.getValue(), b.getInt(31));
    }

    @Test
    void missingCheckpointIsEmptyAndCreatesNothing() {
        CheckpointStore store = new CheckpointStore(dir);
        assertEquals(OptionalLong.empty(), store.load("nope", REGION));
        assertEquals(List.of(), store.ids());
        assertFalse(Files.exists(dir.resolve("cursors")), "constructor and load must not create the directory");
        store.save("a", REGION, 1);
        assertTrue(Files.isDirectory(dir.resolve("cursors")));
        assertEquals(OptionalLong.empty(), store.load("nope", REGION));
    }

    @Test
    void saveCreatesAMissingDataDirectory() {
        CheckpointStore store = new CheckpointStore(dir.resolve("not").resolve("yet"));
        store.save("a", REGION, 3);
        assertEquals(OptionalLong.of(3), store.load("a", REGION));
    }

    @Test
    void overwriteKeepsTheNewest() {
        CheckpointStore store = new CheckpointStore(dir);
        store.save("c", REGION, 10);
        store.save("c", REGION, 5);
        store.save("c", REGION, 99);
        assertEquals(OptionalLong.of(99), store.load("c", REGION));
        // A save may also rebind the id to another region; the old region is then refused.
        store.save("c", OTHER_REGION, 1);
        assertEquals(OptionalLong.of(1), store.load("c", OTHER_REGION));
        assertThrows(CheckpointRegionMismatchException.class, () -> store.load("c", REGION));
    }

    @Test
    void regionMismatchNamesBothIdentities() {
        CheckpointStore store = new CheckpointStore(dir);
        store.save("c", REGION, 10);
        CheckpointRegionMismatchException e =
                assertThrows(CheckpointRegionMismatchException.class, () -> store.load("c", OTHER_REGION));
        assertEquals(REGION, e.storedIdentity());
        assertEquals(OTHER_REGION, e.expectedIdentity());
        assertEquals(store.path("c"), e.file());
        assertTrue(e.getMessage().contains(REGION), e.getMessage());
        assertTrue(e.getMessage().contains(OTHER_REGION), e.getMessage());
        assertTrue(e.getMessage().contains("another region"), e.getMessage());
        assertTrue(e.getMessage().contains("delete"), e.getMessage());
        assertTrue(e instanceof CursorCheckpointException);
    }

    @Test
    void everySingleBitFlipIsDetected() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        store.save("c", "entity=é|scope=*", 12345);
        Path file = store.path("c");
        byte[] good = Files.readAllBytes(file);
        int corrupt = 0;
        int unsupported = 0;
        for (int i = 0; i < good.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] bad = good.clone();
                bad[i] ^= (byte) (1 << bit);
                Files.write(file, bad);
                try {
                    OptionalLong loaded = store.load("c", "entity=é|scope=*");
                    fail("flip of bit " + bit + " at byte " + i + " loaded " + loaded);
                } catch (CorruptCheckpointException e) {
                    assertEquals(file, e.file());
                    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
                    corrupt++;
                } catch (UnsupportedFormatException e) {
                    assertTrue(i == 4 || i == 5, "unsupported format from a flip at byte " + i);
                    unsupported++;
                }
            }
        }
        assertEquals(good.length * 8, corrupt + unsupported);
        // Every flip in the version field except the one to 0 yields a newer version.
        assertEquals(15, unsupported);
    }

    @Test
    void everyTruncationIsCorrupt() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        store.save("c", REGION, 7);
        Path file = store.path("c");
        byte[] good = Files.readAllBytes(file);
        for (int len = 0; len < good.length; len++) {
            Files.write(file, Arrays.copyOf(good, len));
            int l = len;
            CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class,
                    () -> store.load("c", REGION), () -> "truncated to " + l);
            assertFalse(e.reason().isEmpty());
        }
    }

    @Test
    void trailingBytesAreCorrupt() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        store.save("c", REGION, 7);
        Path file = store.path("c");
        byte[] good = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(good, good.length + 1));
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> store.load("c", REGION));
        assertTrue(e.reason().contains("trailing"), e.reason());
        // Even a huge file is judged from a bounded read.
        Files.write(file, Arrays.copyOf(good, 1 << 20));
        assertThrows(CorruptCheckpointException.class, () -> store.load("c", REGION));
    }

    @Test
    void newerVersionIsUnsupported() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        store.save("c", REGION, 7);
        Path file = store.path("c");
        byte[] b = Files.readAllBytes(file);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putShort(4, (short) 2);
        recomputeCrc(b);
        Files.write(file, b);
        UnsupportedFormatException e = assertThrows(UnsupportedFormatException.class, () -> store.load("c", REGION));
        assertTrue(e.getMessage().contains("version 2"), e.getMessage());
        // Judged before the layout: a newer version with a different length is still "unsupported".
        Files.write(file, Arrays.copyOf(b, 10));
        assertThrows(UnsupportedFormatException.class, () -> store.load("c", REGION));
    }

    @Test
    void checksumValidButInvalidFieldsAreCorrupt() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        store.save("c", "ab", 7);
        Path file = store.path("c");
        byte[] good = Files.readAllBytes(file);

        byte[] version0 = good.clone();
        ByteBuffer.wrap(version0).order(ByteOrder.LITTLE_ENDIAN).putShort(4, (short) 0);
        recomputeCrc(version0);
        assertCorrupt(store, file, version0, "version");

        byte[] flags = good.clone();
        ByteBuffer.wrap(flags).order(ByteOrder.LITTLE_ENDIAN).putShort(6, (short) 1);
        recomputeCrc(flags);
        assertCorrupt(store, file, flags, "flags");

        byte[] position = good.clone();
        ByteBuffer.wrap(position).order(ByteOrder.LITTLE_ENDIAN).putLong(8, -2);
        recomputeCrc(position);
        assertCorrupt(store, file, position, "position");

        byte[] utf8 = good.clone();
        utf8[28] = (byte) 0xC3; // a lead byte followed by an ASCII byte: malformed
        recomputeCrc(utf8);
        assertCorrupt(store, file, utf8, "UTF-8");

        byte[] empty = new byte[32];
        System.arraycopy(good, 0, empty, 0, 24);
        recomputeCrc(empty); // identity length 0
        assertCorrupt(store, file, empty, "identity length");

        byte[] tooLong = Arrays.copyOf(good, 32 + 4097);
        ByteBuffer.wrap(tooLong).order(ByteOrder.LITTLE_ENDIAN).putInt(24, 4097);
        recomputeCrc(tooLong);
        assertCorrupt(store, file, tooLong, "identity length");
    }

    private static void assertCorrupt(CheckpointStore store, Path file, byte[] bytes, String reasonPart)
            throws IOException {
        Files.write(file, bytes);
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> store.load("c", "ab"));
        assertTrue(e.reason().contains(reasonPart), e.reason());
        assertTrue(e.getMessage().contains(e.reason()), e.getMessage());
    }

    @Test
    void leftoverTempFileIsIgnored() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        store.save("c", REGION, 7);
        Path tmp = dir.resolve("cursors").resolve("c.ckpt.tmp");
        Files.write(tmp, new byte[] {1, 2, 3});
        assertEquals(OptionalLong.of(7), store.load("c", REGION));
        assertEquals(List.of("c"), store.ids());
        // A leftover temp file alone is no checkpoint, and the next save replaces it.
        store.delete("c");
        Files.write(tmp, new byte[] {1, 2, 3});
        assertEquals(OptionalLong.empty(), store.load("c", REGION));
        store.save("c", REGION, 8);
        assertEquals(OptionalLong.of(8), store.load("c", REGION));
        assertFalse(Files.exists(tmp));
    }

    @Test
    void invalidIdsAreRejected() {
        CheckpointStore store = new CheckpointStore(dir);
        String[] bad = {"", "x".repeat(129), "../x", "a/b", ".hidden", "a b", null, "a\\b", "é", "a\u0000b", "."};
        for (String id : bad) {
            InvalidCheckpointIdException e =
                    assertThrows(InvalidCheckpointIdException.class, () -> CheckpointStore.validateId(id), id);
            assertEquals(id, e.id());
            assertFalse(e.reason().isEmpty());
            assertTrue(e instanceof StoreException);
            assertThrows(InvalidCheckpointIdException.class, () -> store.save(id, REGION, 1));
            assertThrows(InvalidCheckpointIdException.class, () -> store.load(id, REGION));
            assertThrows(InvalidCheckpointIdException.class, () -> store.delete(id));
            assertThrows(InvalidCheckpointIdException.class, () -> store.path(id));
            assertThrows(InvalidCheckpointIdException.class, () -> store.claim(id));
        }
        assertTrue(assertThrows(InvalidCheckpointIdException.class, () -> CheckpointStore.validateId("x".repeat(129)))
                .reason().contains("128"));
        assertTrue(assertThrows(InvalidCheckpointIdException.class, () -> CheckpointStore.validateId(".hidden"))
                .getMessage().contains("\".hidden\""));
        assertTrue(assertThrows(InvalidCheckpointIdException.class, () -> CheckpointStore.validateId("a b"))
                .reason().contains("index 1"));
        assertFalse(Files.exists(dir.resolve("cursors")));
    }

    @Test
    void validIdsAreAccepted() {
        for (String id : new String[] {"a", "x".repeat(128), "order-projection_v2.1", "A-Z.0_9", "a..b", "-x"}) {
            assertSame(id, CheckpointStore.validateId(id));
        }
    }

    @Test
    void idsListsExistingCheckpointsSorted() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        store.save("zeta", REGION, 1);
        store.save("alpha", REGION, 2);
        store.save("Mid.1", REGION, 3);
        Path cursors = dir.resolve("cursors");
        Files.write(cursors.resolve("stray.ckpt.tmp"), new byte[1]);
        Files.write(cursors.resolve("notes.txt"), new byte[1]);
        Files.write(cursors.resolve(".hidden.ckpt"), new byte[1]);
        Files.createDirectory(cursors.resolve("dir.ckpt"));
        assertEquals(List.of("Mid.1", "alpha", "zeta"), store.ids());
    }

    @Test
    void deleteRemovesTheCheckpoint() {
        CheckpointStore store = new CheckpointStore(dir);
        assertFalse(store.delete("c"));
        store.save("c", REGION, 4);
        store.save("d", REGION, 5);
        assertTrue(store.delete("c"));
        assertFalse(store.delete("c"));
        assertEquals(OptionalLong.empty(), store.load("c", REGION));
        assertEquals(OptionalLong.of(5), store.load("d", REGION));
        assertEquals(List.of("d"), store.ids());
    }

    @Test
    void claimIsExclusiveWithinTheJvm(@TempDir Path otherDir) {
        CheckpointStore store = new CheckpointStore(dir);
        CheckpointStore.Claim first = store.claim("c");
        assertEquals("c", first.id());
        assertEquals(store.path("c"), first.file());
        CheckpointInUseException e = assertThrows(CheckpointInUseException.class, () -> store.claim("c"));
        assertEquals(store.path("c"), e.file());
        // Another instance on the same directory, reached through a non-normalized path, shares the claim.
        CheckpointStore alias = new CheckpointStore(dir.resolve("sub").resolve(".."));
        assertThrows(CheckpointInUseException.class, () -> alias.claim("c"));
        // Other ids and other directories are independent.
        try (CheckpointStore.Claim other = store.claim("d");
             CheckpointStore.Claim elsewhere = new CheckpointStore(otherDir).claim("c")) {
            assertEquals("d", other.id());
            assertEquals("c", elsewhere.id());
        }
        first.close();
        CheckpointStore.Claim again = store.claim("c");
        first.close(); // idempotent: must not release the newer claim
        assertThrows(CheckpointInUseException.class, () -> store.claim("c"));
        again.close();
        store.claim("c").close();
    }

    @Test
    void invalidSaveArgumentsAreRejected() {
        CheckpointStore store = new CheckpointStore(dir);
        assertThrows(InvalidInputException.class, () -> store.save("c", REGION, -2));
        assertThrows(InvalidInputException.class, () -> store.save("c", REGION, Long.MIN_VALUE));
        assertThrows(InvalidInputException.class, () -> store.save("c", "", 1));
        assertThrows(InvalidInputException.class, () -> store.save("c", "x".repeat(4097), 1));
        assertThrows(InvalidInputException.class, () -> store.save("c", "a\uD800b", 1));
        assertThrows(InvalidInputException.class, () -> store.save("c", null, 1));
        assertEquals(OptionalLong.empty(), store.load("c", REGION));
        store.save("c", "x".repeat(4096), 1);
        assertEquals(OptionalLong.of(1), store.load("c", "x".repeat(4096)));
    }

    @Test
    void aheadOfStoreExceptionCarriesItsFields() {
        Path file = dir.resolve("cursors").resolve("c.ckpt");
        CheckpointAheadOfStoreException e = new CheckpointAheadOfStoreException(file, 100, 41);
        assertEquals(file, e.file());
        assertEquals(100, e.position());
        assertEquals(41, e.lastSequence());
        assertTrue(e.getMessage().contains("100") && e.getMessage().contains("41"), e.getMessage());
    }
}
