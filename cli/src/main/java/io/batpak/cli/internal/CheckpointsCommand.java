package io.batpak.cli.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batpak.cli.BatpakCli;
import io.batpak.core.CursorCheckpointInfo;
import io.batpak.core.ReadOnlyStore;
import io.batpak.core.StoreStatistics;
import io.batpak.projections.Projections;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "checkpoints", mixinStandardHelpOptions = true,
        header = "List cursor checkpoints and read models with offsets and lag.",
        description = "Lists the durable cursor checkpoints and the read models with their offsets and lag (global"
                + " sequences behind the store's last event). Exit code 1 when a checkpoint is damaged.")
public final class CheckpointsCommand extends StoreCommand {
    @Option(names = "--projections", paramLabel = "DIR",
            description = "the read models' directory (batpak.projections.dir; default <store-dir>/projections)")
    Path projections;

    @Override
    int execute() {
        StoreStatistics s;
        try (ReadOnlyStore store = openReadOnly()) {
            s = store.statistics();
        }
        Path dir = projections != null ? projections : projectionsDir();
        SortedMap<String, Long> models = Projections.readModelOffsets(dir);
        long last = s.lastGlobalSequence();
        boolean damaged = s.cursorCheckpoints().stream().anyMatch(c -> c.problem() != null);
        if (json) {
            ObjectNode n = EventFormat.JSON.createObjectNode();
            n.put("lastGlobalSequence", last);
            var cps = n.putArray("cursorCheckpoints");
            s.cursorCheckpoints().forEach(c -> cps.add(toJson(c, last)));
            var rms = n.putArray("readModels");
            for (Map.Entry<String, Long> m : models.entrySet()) {
                rms.addObject().put("name", m.getKey()).put("offset", m.getValue())
                        .put("lag", Math.max(0, last - m.getValue()));
            }
            printJson(n);
        } else {
            out().println("store last global sequence " + last);
            out().println("cursor checkpoints:" + (s.cursorCheckpoints().isEmpty() ? " (none)" : ""));
            s.cursorCheckpoints().forEach(c -> out().println("  " + line(c, last)));
            out().println("read models (" + dir + "):" + (models.isEmpty() ? " (none)" : ""));
            for (Map.Entry<String, Long> m : models.entrySet()) {
                out().println(String.format("  %-32s offset %d, lag %d", m.getKey(), m.getValue(),
                        Math.max(0, last - m.getValue())));
            }
        }
        out().flush();
        return damaged ? BatpakCli.PROBLEM : BatpakCli.OK;
    }

    private Path projectionsDir() {
        String configured = config().hasPath("batpak.projections.dir") ? config().getString("batpak.projections.dir")
                : "";
        return configured.isEmpty() ? storeDir.resolve("projections") : Path.of(configured);
    }

    static String line(CursorCheckpointInfo c, long last) {
        if (c.problem() != null) {
            return String.format("%-32s DAMAGED: %s", c.id(), c.problem());
        }
        return String.format("%-32s position %d, lag %d, saved %s, region %s", c.id(), c.position(), c.lag(last),
                c.savedAt(), c.regionIdentity());
    }

    static ObjectNode toJson(CursorCheckpointInfo c, long last) {
        ObjectNode n = EventFormat.JSON.createObjectNode();
        n.put("id", c.id());
        if (c.problem() != null) {
            n.put("problem", c.problem());
            return n;
        }
        n.put("position", c.position());
        n.put("lag", c.lag(last));
        n.put("savedAt", c.savedAt().toString());
        n.put("region", c.regionIdentity());
        return n;
    }
}
