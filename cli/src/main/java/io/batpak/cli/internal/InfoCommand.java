package io.batpak.cli.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batpak.cli.BatpakCli;
import io.batpak.core.CursorCheckpointInfo;
import io.batpak.core.ReadOnlyStore;
import io.batpak.core.StoreStatistics;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine.Command;

@Command(name = "info", mixinStandardHelpOptions = true,
        header = "What a store holds: events, entities, segments, checkpoints, disk use.",
        description = "What a store holds: format, segments, events, entities, tags, first and last event, index"
                + " checkpoint age, cursor checkpoints, disk usage. Opens it read-only.")
public final class InfoCommand extends StoreCommand {

    @Override
    int execute() {
        StoreStatistics s;
        long ignoredTail;
        try (ReadOnlyStore store = openReadOnly()) {
            s = store.statistics();
            ignoredTail = store.ignoredTailBytes();
        }
        Instant now = Instant.now();
        if (json) {
            ObjectNode n = EventFormat.JSON.createObjectNode();
            n.put("directory", storeDir.toAbsolutePath().normalize().toString());
            n.put("storeId", s.storeId());
            n.put("formatVersion", s.formatVersion());
            n.put("segments", s.segments());
            n.put("segmentBytes", s.segmentBytes());
            n.put("events", s.events());
            n.put("removedEvents", s.removedEvents());
            n.put("redactedEvents", s.redactedEvents());
            n.put("entities", s.entities());
            n.put("tags", s.tags());
            n.put("firstGlobalSequence", s.firstGlobalSequence());
            n.put("lastGlobalSequence", s.lastGlobalSequence());
            n.put("firstEventTime", s.firstEventTime() == null ? null : s.firstEventTime().toString());
            n.put("lastEventTime", s.lastEventTime() == null ? null : s.lastEventTime().toString());
            n.put("indexCheckpointSavedAt", s.indexCheckpointSavedAt() == null ? null
                    : s.indexCheckpointSavedAt().toString());
            if (s.indexCheckpointSavedAt() != null) {
                n.put("indexCheckpointAgeSeconds", Duration.between(s.indexCheckpointSavedAt(), now).toSeconds());
            }
            ArrayNode cps = n.putArray("cursorCheckpoints");
            for (CursorCheckpointInfo c : s.cursorCheckpoints()) {
                cps.add(CheckpointsCommand.toJson(c, s.lastGlobalSequence()));
            }
            n.put("ignoredTailBytes", ignoredTail);
            n.put("diskBytes", s.diskBytes());
            printJson(n);
            return BatpakCli.OK;
        }
        var o = out();
        row(o, "store", storeDir.toAbsolutePath().normalize());
        row(o, "store id", s.storeId());
        row(o, "format version", s.formatVersion());
        row(o, "segments", s.segments() + " (" + bytes(s.segmentBytes()) + ")");
        row(o, "events", s.events() + (s.removedEvents() > 0 ? " (" + s.removedEvents()
                + " removed by compaction)" : "") + (s.redactedEvents() > 0 ? ", " + s.redactedEvents()
                + " redacted" : ""));
        row(o, "entities", s.entities());
        row(o, "tags", s.tags());
        if (s.firstGlobalSequence() < 0) {
            row(o, "first event", "(none)");
            row(o, "last event", "(none)");
        } else {
            row(o, "first event", "global " + s.firstGlobalSequence() + " at " + s.firstEventTime());
            row(o, "last event", "global " + s.lastGlobalSequence() + (s.lastEventTime() == null ? ""
                    : " at " + s.lastEventTime()));
        }
        row(o, "index checkpoint", (s.indexCheckpointSavedAt() == null ? "(none: the next open scans the"
                + " segments)" : age(Duration.between(s.indexCheckpointSavedAt(), now)) + " old ("
                + s.indexCheckpointSavedAt() + ")"));
        if (s.cursorCheckpoints().isEmpty()) {
            row(o, "cursor checkpoints", "(none)");
        } else {
            row(o, "cursor checkpoints", s.cursorCheckpoints().size() + ":");
            for (CursorCheckpointInfo c : s.cursorCheckpoints()) {
                o.println("  " + CheckpointsCommand.line(c, s.lastGlobalSequence()));
            }
        }
        if (ignoredTail > 0) {
            row(o, "torn tail", ignoredTail + " bytes after the last complete write (cut at the next"
                    + " writable open)");
        }
        row(o, "disk usage", bytes(s.diskBytes()));
        o.flush();
        return BatpakCli.OK;
    }

    private static void row(java.io.PrintWriter o, String label, Object value) {
        o.println(String.format("%-19s%s", label, value));
    }

    static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.1f %s", v, units[u]);
    }

    static String age(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 120) {
            return s + " s";
        }
        if (s < 7200) {
            return s / 60 + " min";
        }
        if (s < 172_800) {
            return s / 3600 + " h";
        }
        return s / 86_400 + " days";
    }
}
