package io.batpak.actors;

import static io.batpak.actors.TestSupport.KIND;
import static io.batpak.actors.TestSupport.assertFails;
import static io.batpak.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.IoFaultHook;
import io.batpak.core.ReadOnlyStore;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.CorruptStoreException;
import io.batpak.core.error.InvalidSubjectException;
import io.batpak.core.error.PayloadUnavailableException;
import io.batpak.core.error.SubjectKeyStoreException;
import io.batpak.core.internal.segment.FrameLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Crypto-shredding: payloads sealed per data subject, readable until forgetSubject destroys the key. */
class CryptoShreddingTest {
    private static final String ADA = "ada@example.com";
    private static final String BOB = "bob@example.com";

    @RegisterExtension
    static final StoreTestKit kit = new StoreTestKit();

    @TempDir
    Path dir;

    private static byte[] personal(String who, int i) {
        return io.batpak.core.PayloadCodec.defaultCodec().encode(Map.of("name", who, "address", "12 Secret Lane " + i));
    }

    @Test
    void aSubjectsPayloadsAreSealedReadableAndAfterForgetErasedEverywhereWhileTheChainVerifies() throws Exception {
        Path data = dir.resolve("store");
        BatpakStore store = kit.open(StoreConfig.builder(data).build());
        Coordinate ada = Coordinate.of("customer:ada", "crm");
        Coordinate bob = Coordinate.of("customer:bob", "crm");
        for (int i = 0; i < 5; i++) {
            await(store.append(ada, KIND, personal(ADA, i), AppendOptions.subject(ADA)));
            await(store.append(bob, KIND, personal(BOB, i), AppendOptions.subject(BOB)));
            await(store.append(ada, KIND, ("plain " + i).getBytes(StandardCharsets.UTF_8)));
        }
        await(store.appendBatch(List.of(
                AppendRequest.of(ada, KIND, personal(ADA, 99), AppendOptions.subject(ADA)),
                AppendRequest.of(bob, KIND, personal(BOB, 99), AppendOptions.subject(BOB)))));

        List<StoredEvent> before = store.readEntity("customer:ada", 0, 100);
        assertEquals(11, before.size());
        StoredEvent first = before.get(0);
        assertTrue(first.payloadEncrypted());
        assertFalse(first.payloadRedacted());
        assertArrayEquals(personal(ADA, 0), first.payload());
        assertEquals(Map.of("name", ADA, "address", "12 Secret Lane 0"), first.payloadAs(Map.class));
        assertFalse(before.get(1).payloadEncrypted());
        // The segments hold ciphertext only: neither the plaintext nor the subject id is in any file but the keys.
        assertNotInStoreFiles(data, personal(ADA, 0), "the sealed plaintext", true);
        assertNotInStoreFiles(data, "Secret Lane".getBytes(StandardCharsets.UTF_8), "the sealed plaintext", true);
        assertNotInStoreFiles(data, ADA.getBytes(StandardCharsets.UTF_8), "the subject id", true);
        byte[] adaKey = keyBytesOf(data, ADA);

        Path backup = dir.resolve("backup");
        await(store.backup(backup));
        assertTrue(store.verify().ok());

        assertTrue(await(store.forgetSubject(ADA)));
        assertFalse(await(store.forgetSubject(ADA)), "a second forget finds no key");
        for (StoredEvent e : store.readEntity("customer:ada", 0, 100)) {
            if (e.payloadEncrypted()) {
                assertTrue(e.payloadRedacted(), "erased after forget: " + e);
                assertEquals(0, e.payload().length);
                PayloadUnavailableException gone = assertThrows(PayloadUnavailableException.class,
                        () -> e.payloadAs(Map.class));
                assertEquals(e.eventId(), gone.eventId());
                assertEquals(before.get((int) e.entitySequence()).eventHash(), e.eventHash());
                assertEquals(before.get((int) e.entitySequence()).payloadDigest(), e.payloadDigest());
            } else {
                assertArrayEquals(before.get((int) e.entitySequence()).payload(), e.payload());
            }
        }
        StoredEvent bobsFirst = store.readEntity("customer:bob", 0, 1).get(0);
        assertArrayEquals(personal(BOB, 0), bobsFirst.payload(), "another subject stays readable");
        assertTrue(store.verify().ok(), "the chain covers the ciphertext's digest");
        assertNotInStoreFiles(data, adaKey, "the destroyed key", false);
        assertNotInStoreFiles(backup, adaKey, "the destroyed key", false);

        // A later append of the forgotten subject starts a new key.
        AppendReceipt again = await(store.append(ada, KIND, personal(ADA, 7), AppendOptions.subject(ADA)));
        assertArrayEquals(personal(ADA, 7), store.get(again.eventId()).orElseThrow().payload());
        TestSupport.closeStore(store);

        // After a reopen the forgotten payloads stay erased and the new one is readable.
        BatpakStore reopened = kit.open(StoreConfig.builder(data).build());
        assertTrue(reopened.readEntity("customer:ada", 0, 1).get(0).payloadRedacted());
        assertArrayEquals(personal(ADA, 7), reopened.get(again.eventId()).orElseThrow().payload());
        assertTrue(reopened.verify().ok());
        TestSupport.closeStore(reopened);

        // The backup holds no key; opened with the store's key directory it reads what is still remembered.
        try (ReadOnlyStore copy = ReadOnlyStore.open(StoreConfig.builder(backup)
                .subjectKeysDir(data.resolve(StoreConfig.SUBJECT_KEYS_DIRECTORY)).build())) {
            assertTrue(copy.verify().ok());
            assertTrue(copy.readEntity("customer:ada", 0, 1).get(0).payloadRedacted(), "forgotten in the backup too");
            assertArrayEquals(personal(BOB, 0), copy.readEntity("customer:bob", 0, 1).get(0).payload());
        }
        try (ReadOnlyStore copy = ReadOnlyStore.open(StoreConfig.builder(backup).build())) {
            assertTrue(copy.readEntity("customer:bob", 0, 1).get(0).payloadRedacted(),
                    "a backup opened without the keys reads sealed payloads as erased");
        }
    }

    @Test
    void invalidSubjectsAreRefusedBeforeAnythingIsStored() throws Exception {
        assertThrows(InvalidSubjectException.class, () -> AppendOptions.subject(""));
        assertThrows(InvalidSubjectException.class, () -> AppendOptions.subject(null));
        assertThrows(InvalidSubjectException.class, () -> AppendOptions.subject("a\nb"));
        assertThrows(InvalidSubjectException.class, () -> AppendOptions.subject("x".repeat(257)));
        assertThrows(InvalidSubjectException.class, () -> AppendOptions.subject("\uD800"));
        assertEquals("\uD83D\uDE00", AppendOptions.subject("\uD83D\uDE00").subject());
        assertEquals(null, AppendOptions.builder().subject(null).build().subject());
        BatpakStore store = kit.open(StoreConfig.builder(dir.resolve("store")).build());
        assertFails(InvalidSubjectException.class, store.forgetSubject(""));
        assertFails(InvalidSubjectException.class, store.forgetSubject(null));
        assertEquals(-1, store.lastGlobalSequence());
    }

    @Test
    void aKeyThatCannotBeWrittenFailsTheAppendAndStoresNothing() throws Exception {
        AtomicBoolean fail = new AtomicBoolean(true);
        IoFaultHook noSpace = new IoFaultHook() {
            @Override
            public void beforeWrite(String file, long position, int length) throws IOException {
                if (fail.get() && file.endsWith(".key.tmp")) {
                    throw new IOException("No space left on device");
                }
            }
        };
        Path data = dir.resolve("store");
        BatpakStore store = kit.open(StoreConfig.builder(data).ioFaultHook(noSpace).build());
        Coordinate ada = Coordinate.of("customer:ada", "crm");
        SubjectKeyStoreException e = assertFails(SubjectKeyStoreException.class,
                store.append(ada, KIND, personal(ADA, 0), AppendOptions.subject(ADA)));
        assertTrue(e.getMessage().contains("No space left"), e.getMessage());
        assertEquals(-1, store.lastGlobalSequence(), "nothing stored");
        try (Stream<Path> files = Files.list(data.resolve(StoreConfig.SUBJECT_KEYS_DIRECTORY))) {
            assertEquals(0, files.count(), "no key file and no temporary file left");
        }
        fail.set(false);
        AppendReceipt r = await(store.append(ada, KIND, personal(ADA, 0), AppendOptions.subject(ADA)));
        assertArrayEquals(personal(ADA, 0), store.get(r.eventId()).orElseThrow().payload());
    }

    @Test
    void aForgetThatCannotDeleteTheKeyKeepsItAndCanBeRetried() throws Exception {
        AtomicBoolean fail = new AtomicBoolean(true);
        IoFaultHook failingDelete = new IoFaultHook() {
            @Override
            public void beforeDelete(String file) throws IOException {
                if (fail.get()) {
                    throw new IOException("Input/output error");
                }
            }
        };
        Path data = dir.resolve("store");
        BatpakStore store = kit.open(StoreConfig.builder(data).ioFaultHook(failingDelete).build());
        Coordinate ada = Coordinate.of("customer:ada", "crm");
        AppendReceipt r = await(store.append(ada, KIND, personal(ADA, 0), AppendOptions.subject(ADA)));
        assertFails(SubjectKeyStoreException.class, store.forgetSubject(ADA));
        // The key file was already zeroed when the delete failed: a retry must still destroy it, and until then the
        // in-memory key keeps the payload readable.
        assertArrayEquals(personal(ADA, 0), store.get(r.eventId()).orElseThrow().payload());
        fail.set(false);
        assertTrue(await(store.forgetSubject(ADA)));
        assertTrue(store.get(r.eventId()).orElseThrow().payloadRedacted());
        try (Stream<Path> files = Files.list(data.resolve(StoreConfig.SUBJECT_KEYS_DIRECTORY))) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void aChangedCiphertextIsDetectedAndNeverServed() throws Exception {
        Path data = dir.resolve("store");
        BatpakStore store = kit.open(StoreConfig.builder(data).build());
        Coordinate ada = Coordinate.of("customer:ada", "crm");
        AppendReceipt r = await(store.append(ada, KIND, personal(ADA, 0), AppendOptions.subject(ADA)));
        TestSupport.closeStore(store);
        Path segment;
        try (Stream<Path> files = Files.list(data.resolve("segments"))) {
            segment = files.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(segment);
        int frame = firstFrameOffset(bytes);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int frameLength = b.getInt(frame);
        int end = frame + FrameLayout.PREFIX_LENGTH + frameLength;
        bytes[end - 20] ^= 0x01; // a ciphertext byte
        CRC32C crc = new CRC32C();
        crc.update(bytes, frame + FrameLayout.PREFIX_LENGTH, frameLength);
        b.putInt(frame + FrameLayout.CRC_OFFSET, (int) crc.getValue());
        Files.write(segment, bytes);
        BatpakStore reopened = kit.open(StoreConfig.builder(data).build());
        assertThrows(CorruptStoreException.class, () -> reopened.get(r.eventId()));
        assertFalse(reopened.verify().ok(), "the payload digest no longer matches");
    }

    @Test
    void anInterruptedForgetIsFinishedAtOpenAndADamagedKeyFileIsRefused() throws Exception {
        Path data = dir.resolve("store");
        BatpakStore store = kit.open(StoreConfig.builder(data).build());
        AppendReceipt a = await(store.append(Coordinate.of("customer:ada", "crm"), KIND, personal(ADA, 0),
                AppendOptions.subject(ADA)));
        AppendReceipt b = await(store.append(Coordinate.of("customer:bob", "crm"), KIND, personal(BOB, 0),
                AppendOptions.subject(BOB)));
        TestSupport.closeStore(store);
        Path keys = data.resolve(StoreConfig.SUBJECT_KEYS_DIRECTORY);
        Path adaFile = keyFileOf(keys, ADA);
        Files.write(adaFile, new byte[(int) Files.size(adaFile)]); // a forget killed after its overwrite
        BatpakStore reopened = kit.open(StoreConfig.builder(data).build());
        assertFalse(Files.exists(adaFile), "the destruction is finished");
        assertTrue(reopened.get(a.eventId()).orElseThrow().payloadRedacted());
        assertArrayEquals(personal(BOB, 0), reopened.get(b.eventId()).orElseThrow().payload());
        TestSupport.closeStore(reopened);

        Path bobFile = keyFileOf(keys, BOB);
        byte[] damaged = Files.readAllBytes(bobFile);
        damaged[30] ^= 0x10;
        Files.write(bobFile, damaged);
        CorruptStoreException refused = assertThrows(CorruptStoreException.class,
                () -> BatpakStore.open(StoreConfig.builder(data).build(), kit.system()));
        assertEquals(bobFile, refused.file());
        damaged[30] ^= 0x10;
        Files.write(bobFile, damaged);
        BatpakStore repaired = kit.open(StoreConfig.builder(data).build());
        assertArrayEquals(personal(BOB, 0), repaired.get(b.eventId()).orElseThrow().payload(),
                "the failed open released the directory");
    }

    private static Path keyFileOf(Path keys, String subject) throws IOException {
        try (Stream<Path> files = Files.list(keys)) {
            for (Path f : files.toList()) {
                byte[] b = Files.readAllBytes(f);
                if (new String(b, 55, b.length - 59, StandardCharsets.UTF_8).equals(subject)) {
                    return f;
                }
            }
        }
        throw new AssertionError("no key file of " + subject);
    }

    private static int firstFrameOffset(byte[] segment) {
        return io.batpak.core.internal.segment.SegmentHeader.LENGTH;
    }

    private static byte[] keyBytesOf(Path data, String subject) throws IOException {
        byte[] b = Files.readAllBytes(keyFileOf(data.resolve(StoreConfig.SUBJECT_KEYS_DIRECTORY), subject));
        return java.util.Arrays.copyOfRange(b, 21, 53);
    }

    /** Asserts that no file under {@code root} (optionally except the key directory) contains {@code needle}. */
    static void assertNotInStoreFiles(Path root, byte[] needle, String what, boolean skipKeys) throws IOException {
        List<Path> all = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(Files::isRegularFile).forEach(all::add);
        }
        assertFalse(all.isEmpty());
        for (Path f : all) {
            if (skipKeys && f.getParent().getFileName().toString().equals(StoreConfig.SUBJECT_KEYS_DIRECTORY)) {
                continue;
            }
            byte[] b = Files.readAllBytes(f);
            assertEquals(-1, indexOf(b, needle), what + " found in " + f);
        }
    }

    /** Position of {@code needle} in {@code hay}, or -1 (ISO-8859-1 maps every byte to one char). */
    static int indexOf(byte[] hay, byte[] needle) {
        return new String(hay, StandardCharsets.ISO_8859_1).indexOf(new String(needle, StandardCharsets.ISO_8859_1));
    }
}
