package io.batpak.streams;

import io.batpak.actors.BatpakStore;
import io.batpak.core.AppendOptions;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.EventId;
import io.batpak.core.EventKind;
import io.batpak.core.Region;
import io.batpak.core.StoredEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Source events and a deterministic reactor shared by {@link ReactorTest} and the child JVM
 * {@link ReactorCrashChild}: source events live under {@code src:*}, reactions under {@code rx:*}, so the reactor's
 * region ({@link #SOURCES}) never contains its own reactions.
 */
final class ReactorFixtures {
    static final Region SOURCES = Region.entity("src");
    static final Region REACTIONS = Region.entity("rx");
    static final EventKind SOURCE_KIND = EventKind.of(0x1, 0x001);
    static final EventKind REACTION_KIND = EventKind.of(0x1, 0x010);

    private ReactorFixtures() {
    }

    /** Payload of source event {@code n}. */
    static byte[] sourcePayload(int n) {
        return ("source-" + n).getBytes(StandardCharsets.UTF_8);
    }

    /** The number in a source event's payload. */
    static int sourceIndex(StoredEvent source) {
        String p = new String(source.payload(), StandardCharsets.UTF_8);
        if (!p.startsWith("source-")) {
            throw new IllegalArgumentException("not a source event: " + source);
        }
        return Integer.parseInt(p.substring("source-".length()));
    }

    /**
     * Appends source events {@code from..from+count-1} over five entities in batches; every second one has a
     * correlation id of its own (not its event id), the others correlate to themselves.
     */
    static void appendSources(BatpakStore store, int from, int count) {
        int batch = 500;
        for (int start = from; start < from + count; start += batch) {
            List<AppendRequest> items = new ArrayList<>();
            for (int n = start; n < Math.min(from + count, start + batch); n++) {
                AppendOptions options = n % 2 == 0 ? AppendOptions.DEFAULT
                        : AppendOptions.builder().correlationId(EventId.generate()).build();
                items.add(AppendRequest.of(Coordinate.of("src:" + (n % 5), "orders"), SOURCE_KIND, sourcePayload(n),
                        options));
            }
            store.appendBatch(items).toCompletableFuture().join();
        }
    }

    /** Payload of reaction {@code index} to source event {@code n}, with a version tag. */
    static byte[] reactionPayload(String version, int n, int index) {
        return (version + "-reaction-" + n + "-" + index).getBytes(StandardCharsets.UTF_8);
    }

    /** A deterministic reactor: two reactions to every source event, on {@code rx:<source entity>}. */
    static Reactor doubler() {
        return versioned("v1", 2);
    }

    /** {@code reactions} reactions per source event whose payloads carry {@code version}. */
    static Reactor versioned(String version, int reactions) {
        return event -> {
            int n = sourceIndex(event);
            List<Reaction> out = new ArrayList<>(reactions);
            for (int i = 0; i < reactions; i++) {
                out.add(Reaction.of(Coordinate.of("rx:" + event.coordinate().entity(), "reactions"), REACTION_KIND,
                        reactionPayload(version, n, i)));
            }
            return out;
        };
    }

    /** Pages through a region. */
    interface Pager {
        List<StoredEvent> page(Region region, long after, int limit);
    }

    static List<StoredEvent> all(Pager pager, Region region) {
        List<StoredEvent> out = new ArrayList<>();
        long after = -1;
        while (true) {
            List<StoredEvent> page = pager.page(region, after, 1000);
            if (page.isEmpty()) {
                return out;
            }
            out.addAll(page);
            after = page.get(page.size() - 1).globalSequence();
        }
    }

    /** Stored reactions grouped by causation id (their source event), in global order within each group. */
    static Map<EventId, List<StoredEvent>> reactionsByCause(Pager pager) {
        Map<EventId, List<StoredEvent>> out = new HashMap<>();
        for (StoredEvent r : all(pager, REACTIONS)) {
            EventId cause = r.causationId().orElseThrow(() -> new AssertionError("reaction without causation " + r));
            out.computeIfAbsent(cause, k -> new ArrayList<>()).add(r);
        }
        return out;
    }
}
