package io.batpak.projections;

import io.batpak.actors.BatpakStore;
import io.batpak.actors.ChildJvm;
import io.batpak.core.AppendRequest;
import io.batpak.core.Coordinate;
import io.batpak.core.StoreConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The child JVM of the exactly-once crash test. {@code CountingApp <dir> run <seed>}: starts the counting read
 * model, prints {@code RUNNING}, and appends batches of events until killed. {@code CountingApp <dir> final}:
 * lets the model catch up with the store, prints {@code COUNT <entity> <count> <sum>} for every entity it counted,
 * then {@code DONE}.
 */
public final class CountingApp {
    private CountingApp() {
    }

    public static void main(String[] args) throws Exception {
        ChildJvm.haltWhenOrphaned("counting-app", Duration.ofMinutes(3));
        Path dir = Path.of(args[0]);
        BatpakStore store = BatpakStore.open(StoreConfig.builder(dir).build());
        Projections projections = Projections.open(store);
        ReadModel model = Counting.model("counting");
        ReadModelControl control = projections.start(model, ReadModelSettings.create(store.system())
                .withBatchSize(200).withBatchInterval(Duration.ofMillis(5)));
        if (args[1].equals("final")) {
            control.awaitOffset(store.lastGlobalSequence()).toCompletableFuture().get(2, TimeUnit.MINUTES);
            StringBuilder out = new StringBuilder();
            projections.query(model, view -> {
                for (ReadView.KeyValue kv : view.range(Counting.COUNTS, null, null, Integer.MAX_VALUE)) {
                    out.append("COUNT ").append(Keys.toString(kv.key())).append(' ').append(Keys.toLong(kv.value()))
                            .append(' ').append(view.getLong(Counting.SUMS, kv.key(), 0)).append('\n');
                }
                return null;
            });
            System.out.print(out.append("DONE\n"));
            System.out.flush();
            projections.close();
            store.close();
            return;
        }
        Random random = new Random(Long.parseLong(args[2]));
        System.out.println("RUNNING");
        System.out.flush();
        while (true) {
            List<AppendRequest> batch = new ArrayList<>();
            for (int i = 0; i < 1 + random.nextInt(20); i++) {
                batch.add(AppendRequest.encoded(Coordinate.of("acct:" + random.nextInt(30), "bank"), Counting.KIND,
                        Counting.payload(random.nextInt(1000) - 200), 0, io.batpak.core.AppendOptions.DEFAULT));
            }
            if (batch.size() == 1) {
                store.append(batch.get(0)).toCompletableFuture().get(30, TimeUnit.SECONDS);
            } else {
                store.appendBatch(batch).toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        }
    }
}
