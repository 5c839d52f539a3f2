package io.batpak.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.actors.BatpakStore;
import io.batpak.core.AppendOptions;
import io.batpak.core.AppendReceipt;
import io.batpak.core.Coordinate;
import io.batpak.core.Region;
import io.batpak.core.StoredEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;

/** A tag region drives subscriptions, cursors, committable cursors and reactors like any other region. */
class TagRegionStreamsTest extends StreamsTestBase {
    private static final Region VIP = Region.tag("customer:vip");

    /** 30 events; every third is tagged "customer:vip" (and all "shop"). */
    private static List<Long> appendTagged(BatpakStore store, int from) {
        List<Long> vip = new ArrayList<>();
        for (int i = from; i < from + 30; i++) {
            AppendOptions options = AppendOptions.builder()
                    .tags(i % 3 == 0 ? List.of("shop", "customer:vip") : List.of("shop")).build();
            AppendReceipt r = await(store.append(Coordinate.of("order:" + (i % 4), "eu"), KIND, new byte[] {(byte) i},
                    options));
            if (i % 3 == 0) {
                vip.add(r.globalSequence());
            }
        }
        return vip;
    }

    private static List<Long> globals(List<StoredEvent> events) {
        return events.stream().map(StoredEvent::globalSequence).toList();
    }

    @Test
    void aCursorOnATagRegionCatchesUpAndFollows() {
        BatpakStore store = open();
        List<Long> vip = new ArrayList<>(appendTagged(store, 0));
        CompletionStage<List<StoredEvent>> run = BatpakStreams.cursor(store, VIP).take(20).runWith(Sink.seq(), system);
        vip.addAll(appendTagged(store, 30));
        List<StoredEvent> seen = await(run);
        assertEquals(vip, globals(seen));
        assertTrue(seen.stream().allMatch(e -> e.tags().contains("customer:vip")));
    }

    @Test
    void aSubscriptionOnATagRegionDeliversOnlyMatchingLiveEvents() {
        BatpakStore store = open();
        Pair<Subscription, CompletionStage<List<StoredEvent>>> sub = BatpakStreams.subscribe(store, VIP.withTag("shop"))
                .take(10).toMat(Sink.seq(), Keep.both()).run(system);
        assertTrue(sub.first().active());
        List<Long> vip = appendTagged(store, 0);
        assertEquals(vip, globals(await(sub.second())));
    }

    @Test
    void aCommittableCursorOnATagRegionResumesAfterItsCheckpoint() {
        BatpakStore store = open();
        List<Long> vip = appendTagged(store, 0);
        CursorSettings settings = CursorSettings.checkpointId("vip-view").withCompleteAtHead(true);
        Pair<CursorControl, CompletionStage<List<Done>>> first = BatpakStreams.committableCursor(store, VIP, settings)
                .take(4)
                .map(CommittableEvent::offset)
                .via(Committer.flow(CommitterSettings.defaults().withMaxBatch(1).withMaxInterval(Duration.ofMinutes(1))))
                .toMat(Sink.seq(), Keep.both())
                .run(system);
        await(first.second());
        await(first.first().whenStopped());
        assertEquals(vip.get(3), first.first().committed());
        List<StoredEvent> rest = await(BatpakStreams.cursor(store, VIP, settings).runWith(Sink.seq(), system));
        assertEquals(vip.subList(4, vip.size()), globals(rest));
    }

    @Test
    void aReactorOnATagRegionReactsToTaggedEventsOnly() {
        BatpakStore store = open();
        List<Long> vip = appendTagged(store, 0);
        Reactor reactor = event -> List.of(Reaction.of(Coordinate.of("loyalty:" + event.coordinate().entity(), "eu"),
                OTHER_KIND, new byte[] {1}));
        ReactorControl control = BatpakStreams.runReactor(store, VIP, reactor, "vip-points");
        eventually("every tagged event reacted to", () -> control.cursor().committed() == vip.get(vip.size() - 1));
        await(control.stop());
        List<StoredEvent> reactions = store.query(Region.entity("loyalty"), -1, 1000);
        assertEquals(vip.size(), reactions.size());
        List<String> causes = reactions.stream().map(r -> r.causationId().orElseThrow().toString()).toList();
        List<String> vipIds = store.query(VIP, -1, 1000).stream().map(e -> e.eventId().toString()).toList();
        assertEquals(vipIds, causes);
    }
}
