package io.batpak.core.internal.journal;

import io.batpak.core.EventId;
import io.batpak.core.EventKind;
import io.batpak.core.RedactionRequest;
import io.batpak.core.Region;
import io.batpak.core.internal.index.EntityState;
import io.batpak.core.internal.index.EventIndex;
import io.batpak.core.internal.index.RegionQuery;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The events a {@link RedactionRequest} names, as visible now: visible, not removed, not already redacted and not a
 * redaction record, in global-sequence order, without duplicates; and the ids it named that the store does not hold.
 *
 * @param globalSequences the events to redact
 * @param eventIds        their ids, in the same order
 * @param notFound        ids named by the request that are not a visible event
 * @param alreadyRedacted events the request names that an earlier redaction redacted (their bytes may still be in a
 *                        segment when that redaction did not erase them)
 */
public record RedactionTargets(long[] globalSequences, List<EventId> eventIds, List<EventId> notFound,
                               int alreadyRedacted) {
    private static final int PAGE = 4096;

    /** Resolves {@code request} against the store's index. Thread-safe (reads only). */
    public static RedactionTargets resolve(StoreCore core, RedactionRequest request) {
        EventIndex index = core.index();
        long visible = index.visible();
        long[] found = new long[16];
        int n = 0;
        List<EventId> notFound = new ArrayList<>();
        if (request.entity().isPresent()) {
            EntityState e = index.findEntity(request.entity().get());
            int count = e == null ? 0 : index.visibleCount(e);
            for (int s = 0; s < count; s++) {
                found = put(found, n++, e.globalSequenceAt(s));
            }
        } else if (request.eventIds().isPresent()) {
            for (EventId id : request.eventIds().get()) {
                long g = index.find(id.msb(), id.lsb());
                if (g < 0 || g > visible || index.removed(g)) {
                    notFound.add(id);
                } else {
                    found = put(found, n++, g);
                }
            }
        } else {
            Region region = request.region().orElseThrow();
            long after = -1;
            while (true) {
                int[] page = RegionQuery.select(index, region, after, PAGE);
                for (int g : page) {
                    found = put(found, n++, g);
                }
                if (page.length < PAGE) {
                    break;
                }
                after = page[page.length - 1];
            }
        }
        long[] sorted = Arrays.copyOf(found, n);
        Arrays.sort(sorted);
        long[] keep = new long[n];
        List<EventId> ids = new ArrayList<>();
        int k = 0;
        int already = 0;
        for (int i = 0; i < n; i++) {
            long g = sorted[i];
            if ((i > 0 && sorted[i - 1] == g) || index.removed(g)
                    || index.kindAt(g) == EventKind.SYSTEM_REDACTION.raw()) {
                continue;
            }
            if (core.redactions().contains(g)) {
                already++;
                continue;
            }
            keep[k++] = g;
            ids.add(new EventId(index.idMsbAt(g), index.idLsbAt(g)));
        }
        return new RedactionTargets(Arrays.copyOf(keep, k), List.copyOf(ids), List.copyOf(notFound), already);
    }

    private static long[] put(long[] a, int at, long v) {
        if (at == a.length) {
            a = Arrays.copyOf(a, a.length * 2);
        }
        a[at] = v;
        return a;
    }
}
