package io.batpak.actors;

import static io.batpak.actors.TestSupport.KIND;
import static io.batpak.actors.TestSupport.assertChain;
import static io.batpak.actors.TestSupport.assertFails;
import static io.batpak.actors.TestSupport.await;
import static io.batpak.actors.TestSupport.failureOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.core.AppendCondition;
import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.ExpectedSequence;
import io.batpak.core.IdempotencyKey;
import io.batpak.core.Region;
import io.batpak.core.StoreConfig;
import io.batpak.core.error.AppendConditionFailedException;
import io.batpak.core.error.InvalidInputException;
import io.batpak.core.error.SequenceMismatchException;
import io.batpak.core.error.StoreException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;

/** Append conditions over a query: every path through the store's runtime. */
class AppendConditionTest extends EmbeddedStoreTest {
    private static final Region COURSE = Region.tag("course:7");

    private static Coordinate c(String entity) {
        return Coordinate.of(entity, "school");
    }

    private static AppendOptions tagged(String... tags) {
        return AppendOptions.builder().tags(tags).build();
    }

    private static AppendOptions unless(Region region, long after, String... tags) {
        return AppendOptions.builder().tags(tags).condition(AppendCondition.noneMatching(region, after)).build();
    }

    private StoreConfig config() {
        return StoreConfig.builder(dir).build();
    }

    @Test
    void aConditionThatHoldsCommitsAndOneThatFailsStoresNothing() {
        BatpakStore store = open(config());
        AppendReceipt first = await(store.append(c("student:1"), KIND, new byte[] {1}, unless(COURSE, -1, "course:7")));
        assertEquals(0, first.globalSequence());
        await(store.append(c("other"), KIND, new byte[] {2}, tagged("course:8")));

        AppendConditionFailedException e = assertFails(AppendConditionFailedException.class,
                store.append(c("student:2"), KIND, new byte[] {3}, unless(COURSE, -1, "course:7")));
        assertFails(AppendConditionFailedException.class, store.append(c("student:2"), KIND, new byte[] {3},
                AppendOptions.condition(AppendCondition.noneMatching(COURSE, -1))));
        assertEquals(COURSE, e.region());
        assertEquals(-1, e.afterGlobalSequence());
        assertEquals(0, e.conflictingGlobalSequence());
        assertEquals(first.eventId(), e.conflictingEventId());
        assertEquals(StoreException.Category.CONFLICT, e.category());
        assertEquals(1, store.lastGlobalSequence(), "nothing stored");
        assertEquals(List.of(), store.readEntity("student:2", 0, 10));

        // Decided on what was read up to the first event: still valid, since nothing of the region came after it.
        AppendReceipt second = await(store.append(c("student:2"), KIND, new byte[] {3}, unless(COURSE, 0, "course:7")));
        assertEquals(2, second.globalSequence());
        assertTrue(store.verify().ok());
    }

    @Test
    void everyRegionFilterCanBeTheBoundary() {
        BatpakStore store = open(config());
        await(store.append(c("course:7"), KIND, new byte[] {1}));
        assertFails(AppendConditionFailedException.class, store.append(c("x"), KIND, new byte[0],
                unless(Region.entity("course"), -1)));
        assertFails(AppendConditionFailedException.class, store.append(c("x"), KIND, new byte[0],
                unless(Region.all().withKind(KIND), -1)));
        await(store.append(c("x"), KIND, new byte[0], unless(Region.entity("course").withKind(TestSupport.OTHER_KIND), -1)));
        await(store.append(c("x"), KIND, new byte[0], unless(Region.entity("course").withScope("elsewhere"), -1)));
    }

    @Test
    void earlierItemsOfTheSameBatchCountAndTheWholeBatchFails() {
        BatpakStore store = open(config());
        await(store.append(c("seed"), KIND, new byte[0]));
        AppendConditionFailedException e = assertFails(AppendConditionFailedException.class, store.appendBatch(List.of(
                AppendRequest.of(c("student:1"), KIND, new byte[] {1}, tagged("course:7")),
                AppendRequest.of(c("student:2"), KIND, new byte[] {2}, unless(COURSE, 0, "course:7")))));
        assertEquals(1, e.conflictingGlobalSequence(), "the global sequence item 0 would have had");
        assertEquals(0, store.lastGlobalSequence(), "nothing of the batch is stored");
        assertEquals(List.of(), store.readEntity("student:1", 0, 10));

        // A condition on the first item does not see the items after it.
        List<AppendReceipt> ok = await(store.appendBatch(List.of(
                AppendRequest.of(c("student:1"), KIND, new byte[] {1}, unless(COURSE, 0, "course:7")),
                AppendRequest.of(c("student:2"), KIND, new byte[] {2}, tagged("course:7")))));
        assertEquals(List.of(1L, 2L), ok.stream().map(AppendReceipt::globalSequence).toList());
        assertChain(store, "student:1", 1);
        assertChain(store, "student:2", 1);
    }

    @Test
    void aFailedConditionLeavesTheEntitysHeadWhereItWas() {
        BatpakStore store = open(config());
        await(store.append(c("course:7"), KIND, new byte[0], tagged("course:7")));
        await(store.append(c("student:1"), KIND, new byte[] {1}));
        // Conditional appends that fail, interleaved with plain appends to the same entity, never fork its chain.
        List<CompletionStage<AppendReceipt>> all = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            all.add(store.append(c("student:1"), KIND, new byte[] {(byte) i},
                    i % 2 == 0 ? unless(COURSE, -1) : AppendOptions.DEFAULT));
        }
        int failed = 0;
        for (int i = 0; i < all.size(); i++) {
            if (i % 2 == 0) {
                assertInstanceOf(AppendConditionFailedException.class, failureOf(all.get(i)));
                failed++;
            } else {
                await(all.get(i));
            }
        }
        assertEquals(20, failed);
        assertChain(store, "student:1", 21);
        assertTrue(store.verify().ok());
    }

    @Test
    void aConditionHoldsAcrossAReopen() {
        StoreConfig config = config();
        BatpakStore store = open(config);
        AppendReceipt taken = await(store.append(c("student:1"), KIND, new byte[] {1}, tagged("course:7")));
        closeStores();
        BatpakStore reopened = open(config);
        AppendConditionFailedException e = assertFails(AppendConditionFailedException.class,
                reopened.append(c("student:2"), KIND, new byte[] {2}, unless(COURSE, -1)));
        assertEquals(taken.eventId(), e.conflictingEventId());
        await(reopened.append(c("student:2"), KIND, new byte[] {2}, unless(COURSE, taken.globalSequence())));
    }

    @Test
    void anExpectedSequenceThatFailsWinsOverAConditionThatHoldsAndTheReverse() {
        BatpakStore store = open(config());
        await(store.append(c("student:1"), KIND, new byte[] {1}));
        assertFails(SequenceMismatchException.class, store.append(c("student:1"), KIND, new byte[] {2},
                AppendOptions.builder().expect(ExpectedSequence.NO_STREAM)
                        .condition(AppendCondition.noneMatching(COURSE, -1)).build()));
        await(store.append(c("course"), KIND, new byte[0], tagged("course:7")));
        assertFails(AppendConditionFailedException.class, store.append(c("student:1"), KIND, new byte[] {2},
                AppendOptions.builder().expect(ExpectedSequence.exact(0))
                        .condition(AppendCondition.noneMatching(COURSE, -1)).build()));
        AppendReceipt both = await(store.append(c("student:1"), KIND, new byte[] {2},
                AppendOptions.builder().expect(ExpectedSequence.exact(0))
                        .condition(AppendCondition.noneMatching(COURSE, 1)).build()));
        assertEquals(1, both.entitySequence());
        assertEquals(2, store.lastGlobalSequence());
    }

    @Test
    void aRetryWithTheSameIdempotencyKeyGetsTheOriginalReceipt() {
        BatpakStore store = open(config());
        IdempotencyKey key = IdempotencyKey.of(UUID.randomUUID());
        AppendOptions options = AppendOptions.builder().idempotencyKey(key).tags("course:7")
                .condition(AppendCondition.noneMatching(COURSE, -1)).build();
        AppendReceipt original = await(store.append(c("student:1"), KIND, new byte[] {1}, options));
        // The condition would fail now (the original itself matches), but the key answers first.
        assertEquals(original, await(store.append(c("student:1"), KIND, new byte[] {1}, options)));
        assertEquals(0, store.lastGlobalSequence());
    }

    @Test
    void theActorProtocolCarriesConditionsAndTheirFailures() {
        BatpakStore store = open(config());
        await(store.append(c("course"), KIND, new byte[0], tagged("course:7")));
        StatusReply<AppendReceipt> reply = await(AskPattern.<StoreCommand, StatusReply<AppendReceipt>>ask(store.ref(),
                replyTo -> new StoreCommand.Append(c("student:1"), KIND, new byte[] {1}, 0, unless(COURSE, -1), replyTo),
                Duration.ofSeconds(TestSupport.WAIT_SECONDS), system.scheduler()));
        assertTrue(reply.isError());
        assertInstanceOf(AppendConditionFailedException.class, reply.getError());
    }

    @Test
    void badConditionsAreRefusedWhenBuilt() {
        assertEquals("afterGlobalSequence", org.junit.jupiter.api.Assertions.assertThrows(InvalidInputException.class,
                () -> AppendCondition.noneMatching(COURSE, -2)).parameter());
        org.junit.jupiter.api.Assertions.assertThrows(InvalidInputException.class,
                () -> AppendCondition.noneMatching(null, 0));
    }
}
