package io.batpak.actors;

import static io.batpak.actors.TestSupport.KIND;
import static io.batpak.actors.TestSupport.OTHER_KIND;
import static io.batpak.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.IndexEntry;
import io.batpak.core.ReadOnlyStore;
import io.batpak.core.Region;
import io.batpak.core.StoreConfig;
import io.batpak.core.StoredEvent;
import io.batpak.core.Tags;
import io.batpak.core.error.InvalidRegionException;
import io.batpak.core.error.InvalidTagException;
import io.batpak.core.internal.index.IndexCheckpoint;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;

/** Tags: stored in order, covered by the hash, indexed per tag, listed, and kept across reopen. */
class TagTest extends EmbeddedStoreTest {
    private static Coordinate c(String entity) {
        return Coordinate.of(entity, "shop");
    }

    private static AppendOptions tags(String... tags) {
        return AppendOptions.builder().tags(tags).build();
    }

    private static List<Long> globals(List<StoredEvent> events) {
        return events.stream().map(StoredEvent::globalSequence).toList();
    }

    private StoreConfig config() {
        return StoreConfig.builder(dir).build();
    }

    /** 60 orders of 3 customers; every 5th also carries "sku:42", every 7th "sku:7" and "promo". */
    private List<AppendReceipt> fill(BatpakStore store) {
        List<AppendReceipt> out = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            List<String> t = new ArrayList<>();
            t.add("customer:" + (i % 3));
            if (i % 5 == 0) {
                t.add("sku:42");
            }
            if (i % 7 == 0) {
                t.add("sku:7");
                t.add("promo");
            }
            out.add(await(store.append(c("order:" + i), i % 2 == 0 ? KIND : OTHER_KIND, new byte[] {(byte) i},
                    AppendOptions.builder().tags(t).build())));
        }
        return out;
    }

    @Test
    void tagsAreStoredInTheOrderGivenAndReadBackEverywhere() {
        BatpakStore store = open(config());
        AppendReceipt r = await(store.append(c("order:1"), KIND, new byte[] {1}, tags("sku:42", "customer:ada", "é-tag")));
        AppendReceipt plain = await(store.append(c("order:1"), KIND, new byte[] {2}));
        StoredEvent e = store.get(r.eventId()).orElseThrow();
        assertEquals(List.of("sku:42", "customer:ada", "é-tag"), e.tags());
        assertEquals(List.of(), store.get(plain.eventId()).orElseThrow().tags());
        assertEquals(e.tags(), store.readEntity("order:1", 0, 1).get(0).tags());
        assertEquals(e.tags(), store.query(Region.tag("customer:ada"), -1, 10).get(0).tags());
        AppendReceipt shorthand = await(store.append(c("order:2"), KIND, new byte[] {3}, AppendOptions.tags("b", "a")));
        assertEquals(List.of("b", "a"), store.get(shorthand.eventId()).orElseThrow().tags());
        assertTrue(store.verify().ok());
    }

    @Test
    void aTagQueryReturnsExactlyTheTaggedEventsInCommitOrder() {
        BatpakStore store = open(config());
        List<AppendReceipt> receipts = fill(store);
        List<Long> sku42 = new ArrayList<>();
        List<Long> sku7Promo = new ArrayList<>();
        List<Long> cust1Sku42 = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            long g = receipts.get(i).globalSequence();
            if (i % 5 == 0) {
                sku42.add(g);
                if (i % 3 == 1) {
                    cust1Sku42.add(g);
                }
            }
            if (i % 7 == 0) {
                sku7Promo.add(g);
            }
        }
        assertEquals(sku42, globals(store.query(Region.tag("sku:42"), -1, 1000)));
        assertEquals(sku7Promo, globals(store.query(Region.tag("sku:7").withTag("promo"), -1, 1000)));
        assertEquals(cust1Sku42, globals(store.query(Region.tag("sku:42").withTag("customer:1"), -1, 1000)));
        assertEquals(List.of(), store.query(Region.tag("sku:42").withTag("sku:unknown"), -1, 1000));
        // Paged: after a position, with a limit.
        assertEquals(sku42.subList(3, 5), globals(store.query(Region.tag("sku:42"), sku42.get(2), 2)));
        // Combined with the other filters.
        assertEquals(List.of(receipts.get(10).globalSequence()),
                globals(store.query(Region.entity("order:10").withTag("sku:42"), -1, 10)));
        List<Long> evenSku42 = sku42.stream().filter(g -> store.query(Region.all(), g - 1, 1).get(0).kind().equals(KIND))
                .toList();
        assertEquals(evenSku42, globals(store.query(Region.tag("sku:42").withKind(KIND), -1, 1000)));
        assertEquals(sku42, globals(store.query(Region.entity("order").withTag("sku:42").withScope("shop"), -1, 1000)));
        assertEquals(List.of(), store.query(Region.tag("sku:42").withSequenceRange(1, 5), -1, 1000));
        // queryIndex answers the same from the index alone.
        assertEquals(sku42, store.queryIndex(Region.tag("sku:42"), -1, 1000).stream()
                .map(IndexEntry::globalSequence).toList());
    }

    @Test
    void tagsAreListedLikeEntities() {
        BatpakStore store = open(config());
        fill(store);
        await(store.append(c("x"), KIND, new byte[0], tags("skunk")));
        assertEquals(List.of("customer:0", "customer:1", "customer:2", "promo", "sku:42", "sku:7", "skunk"),
                store.tags(null, null, 100));
        assertEquals(List.of("sku:42", "sku:7"), store.tags("sku", null, 100));
        assertEquals(List.of("sku:7"), store.tags("sku", "sku:42", 100));
        assertEquals(List.of("customer:0", "customer:1"), store.tags(null, null, 2));
        assertEquals(List.of("customer:2", "promo"), store.tags(null, "customer:1", 2));
        assertEquals(List.of(), store.tags("nothing", null, 100));
        assertEquals(List.of(), store.tags(null, null, 0));
    }

    @Test
    void tagsAndTheirPostingListsSurviveReopenFromACheckpointAndFromAFullScan() {
        StoreConfig config = config();
        BatpakStore store = open(config);
        fill(store);
        List<Long> before = globals(store.query(Region.tag("sku:42"), -1, 1000));
        List<String> tagsBefore = store.tags(null, null, 100);
        closeStores();

        BatpakStore fromCheckpoint = open(config);
        assertTrue(fromCheckpoint.stats().openedFromCheckpoint());
        assertEquals(before, globals(fromCheckpoint.query(Region.tag("sku:42"), -1, 1000)));
        assertEquals(tagsBefore, fromCheckpoint.tags(null, null, 100));
        // Appending after a checkpoint open extends the restored lists.
        AppendReceipt more = await(fromCheckpoint.append(c("order:99"), KIND, new byte[0], tags("sku:42")));
        closeStores();

        try {
            Files.delete(dir.resolve(IndexCheckpoint.FILE_NAME));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try (ReadOnlyStore scanned = ReadOnlyStore.open(config)) {
            List<Long> expected = new ArrayList<>(before);
            expected.add(more.globalSequence());
            assertEquals(expected, globals(scanned.query(Region.tag("sku:42"), -1, 1000)));
            assertEquals(tagsBefore, scanned.tags(null, null, 100));
            assertTrue(scanned.verify().ok());
        }
    }

    @Test
    void invalidTagsAreRefusedByNameAndNothingIsStored() {
        BatpakStore store = open(config());
        String[] seventeen = new String[Tags.MAX_TAGS + 1];
        for (int i = 0; i < seventeen.length; i++) {
            seventeen[i] = "t" + i;
        }
        assertTrue(assertThrows(InvalidTagException.class, () -> tags(seventeen)).getMessage().contains("at most 16"));
        String tooLong = "x".repeat(Tags.MAX_TAG_BYTES + 1);
        InvalidTagException longTag = assertThrows(InvalidTagException.class, () -> tags(tooLong));
        assertTrue(longTag.rule().contains("at most 256 UTF-8 bytes"), longTag.getMessage());
        assertEquals(tooLong, longTag.tag());
        tags("x".repeat(Tags.MAX_TAG_BYTES)); // exactly the limit is fine
        assertTrue(assertThrows(InvalidTagException.class, () -> tags("ok", "bad\n")).getMessage().contains("bad\\u000a"));
        assertTrue(assertThrows(InvalidTagException.class, () -> tags("a", "a")).rule().contains("twice"));
        assertThrows(InvalidTagException.class, () -> tags(""));
        assertThrows(InvalidTagException.class, () -> tags("a", null));
        assertThrows(InvalidTagException.class, () -> tags("a|b"));
        assertThrows(InvalidTagException.class, () -> AppendRequest.of(c("o"), KIND, new byte[0]).withTags("a=b"));
        assertThrows(InvalidRegionException.class, () -> Region.tag("bad\u0000"));
        assertThrows(InvalidRegionException.class, () -> Region.all().withTag(tooLong));
        assertEquals(-1, store.lastGlobalSequence());
    }

    @Test
    void tagsOnBatchItemsAndThroughTheActorProtocol() {
        BatpakStore store = open(config());
        List<AppendReceipt> batch = await(store.appendBatch(List.of(
                AppendRequest.of(c("order:1"), KIND, new byte[] {1}).withTags("sku:1"),
                AppendRequest.of(c("order:2"), KIND, new byte[] {2}),
                AppendRequest.of(c("order:3"), KIND, new byte[] {3}).withTags("sku:1", "gift"))));
        assertEquals(List.of(batch.get(0).globalSequence(), batch.get(2).globalSequence()),
                globals(store.query(Region.tag("sku:1"), -1, 10)));
        assertEquals(List.of("sku:1", "gift"), store.get(batch.get(2).eventId()).orElseThrow().tags());
        // Tags are checked when the request is built, so an invalid one never reaches a batch.
        assertThrows(InvalidTagException.class, () -> AppendRequest.of(c("order:5"), KIND, new byte[0])
                .withTags("ok", "ok"));
        // The actor protocol carries the tags in the options.
        StatusReply<AppendReceipt> reply = await(AskPattern.<StoreCommand, StatusReply<AppendReceipt>>ask(store.ref(),
                replyTo -> new StoreCommand.Append(c("order:6"), KIND, new byte[] {6}, 0, tags("via:actor"), replyTo),
                Duration.ofSeconds(TestSupport.WAIT_SECONDS), system.scheduler()));
        assertTrue(reply.isSuccess());
        assertEquals(List.of("via:actor"), store.get(reply.getValue().eventId()).orElseThrow().tags());
    }

    @Test
    void subscriptionsOnATagRegionDeliverOnlyTaggedEvents() throws InterruptedException {
        BatpakStore store = open(config());
        BlockingQueue<StoredEvent> seen = new ArrayBlockingQueue<>(100);
        StoreFeed.Registration reg = store.feed().subscribe(Region.tag("sku:42").withTag("vip"),
                new FeedListener() {
                    @Override
                    public boolean hasCapacity() {
                        return true;
                    }

                    @Override
                    public boolean offer(StoredEvent event) {
                        return seen.offer(event);
                    }

                    @Override
                    public boolean overflow(long globalSequence) {
                        return false;
                    }

                    @Override
                    public void closed(Throwable failure) {
                    }
                });
        try {
            await(store.append(c("a"), KIND, new byte[] {1}, tags("sku:42")));
            AppendReceipt both = await(store.append(c("b"), KIND, new byte[] {2}, tags("vip", "sku:42")));
            await(store.append(c("c"), KIND, new byte[] {3}, tags("vip")));
            AppendReceipt again = await(store.append(c("d"), KIND, new byte[] {4}, tags("sku:42", "x", "vip")));
            assertEquals(both.eventId(), seen.poll(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS).eventId());
            assertEquals(again.eventId(), seen.poll(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS).eventId());
            assertTrue(seen.isEmpty());
        } finally {
            reg.cancel();
        }
    }
}
