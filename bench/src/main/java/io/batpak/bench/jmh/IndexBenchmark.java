package io.batpak.bench.jmh;

import io.batpak.core.EventId;
import io.batpak.core.internal.index.EntityState;
import io.batpak.core.internal.index.EventIndex;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The in-memory index per event: the writer's {@code append} of one row (columns, entity, scope and kind posting
 * lists, the chunk's id range), and a reader's lookup of an event by id in a 1,000,000-row index, found and not
 * found. Ids are generated as the store generates them (UUIDv7, increasing), over 10,000 entities and one scope.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class IndexBenchmark {
    private static final int APPENDED_ROWS = 100_000;
    private static final int LOOKUP_ROWS = 1_000_000;
    private static final int ENTITIES = 10_000;

    private long[] msb;
    private long[] lsb;
    private long[] appendMsb;
    private long[] appendLsb;
    private EventIndex lookupIndex;
    private long[] missingMsb;
    private long[] missingLsb;
    private int next;


    @Setup(Level.Trial)
    public void setup() {
        msb = new long[LOOKUP_ROWS];
        lsb = new long[LOOKUP_ROWS];
        missingMsb = new long[LOOKUP_ROWS];
        missingLsb = new long[LOOKUP_ROWS];
        for (int i = 0; i < LOOKUP_ROWS; i++) {
            EventId id = EventId.generate();
            msb[i] = id.msb();
            lsb[i] = id.lsb();
            // The same time range as the stored ids, another random half: never stored.
            missingMsb[i] = id.msb();
            missingLsb[i] = ~id.lsb();
        }
        lookupIndex = new EventIndex();
        EntityState[] entities = entities(lookupIndex);
        int scope = lookupIndex.scope("bench");
        for (int g = 0; g < LOOKUP_ROWS; g++) {
            EntityState e = entities[g % ENTITIES];
            lookupIndex.append(g, msb[g], lsb[g], EventIndex.location(g / 200_000, (g % 200_000) * 300), e, scope,
                    0x1001, e.count(), null);
        }
        lookupIndex.publish(LOOKUP_ROWS - 1);
        appendMsb = java.util.Arrays.copyOf(msb, APPENDED_ROWS);
        appendLsb = java.util.Arrays.copyOf(lsb, APPENDED_ROWS);
        // Lookups in random order.
        Random r = new Random(3);
        for (int i = LOOKUP_ROWS - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            swap(msb, lsb, i, j);
            swap(missingMsb, missingLsb, i, j);
        }
    }

    /** A fresh, empty index for each invocation of {@link #append}. */
    @State(Scope.Thread)
    public static class Empty {
        EventIndex index;
        EntityState[] entities;
        int scope;

        @Setup(Level.Invocation)
        public void freshIndex() {
            index = new EventIndex();
            entities = entities(index);
            scope = index.scope("bench");
        }
    }

    private static EntityState[] entities(EventIndex index) {
        EntityState[] entities = new EntityState[ENTITIES];
        for (int i = 0; i < ENTITIES; i++) {
            entities[i] = index.entity("appender:" + i);
        }
        return entities;
    }

    private static void swap(long[] a, long[] b, int i, int j) {
        long t = a[i];
        a[i] = a[j];
        a[j] = t;
        t = b[i];
        b[i] = b[j];
        b[j] = t;
    }

    /** The writer appending 100,000 rows to an index, per row. */
    @Benchmark
    @OperationsPerInvocation(APPENDED_ROWS)
    public EventIndex append(Empty empty) {
        EventIndex index = empty.index;
        for (int g = 0; g < APPENDED_ROWS; g++) {
            EntityState e = empty.entities[g % ENTITIES];
            index.append(g, appendMsb[g], appendLsb[g], EventIndex.location(0, g * 300), e, empty.scope, 0x1001,
                    e.count(), null);
        }
        index.publish(APPENDED_ROWS - 1);
        return index;
    }

    /** {@code find} of a stored id. */
    @Benchmark
    public long findStored() {
        int i = next++ % LOOKUP_ROWS;
        return lookupIndex.find(msb[i], lsb[i]);
    }

    /** {@code find} of an id within the stored ids' time range that is not stored. */
    @Benchmark
    public long findMissing() {
        int i = next++ % LOOKUP_ROWS;
        return lookupIndex.find(missingMsb[i], missingLsb[i]);
    }
}
