package io.batpak.cli.internal;

import io.batpak.cli.BatpakCli;
import io.batpak.core.CompactionPlan;
import io.batpak.core.CompactionReport;
import io.batpak.core.Region;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "compact", mixinStandardHelpOptions = true,
        header = "Remove events by age, count or entity; erase redacted payloads.",
        description = "Rewrites sealed segments without the events the rules remove and without redacted payloads;"
                + " global sequences are never renumbered and every chain stays verifiable. With no rule it only"
                + " erases redacted payloads.")
public final class CompactCommand extends StoreCommand {
    @Option(names = "--max-age", paramLabel = "DURATION",
            description = "remove events older than this: ISO-8601 (P30D, PT12H) or 30d, 12h, 90m, 45s")
    String maxAge;

    @Option(names = "--max-events-per-entity", paramLabel = "N",
            description = "keep only the newest N events of each entity")
    Integer maxPerEntity;

    @Option(names = "--remove-entity", paramLabel = "P",
            description = "remove every event of the entities under this name or namespace prefix (repeatable)")
    List<String> removeEntities = new ArrayList<>();

    @Override
    int execute() {
        CompactionPlan plan = plan();
        CompactionReport r;
        try (Writable w = openWritable(false); Progress p = progress()) {
            r = w.await(w.store.compact(plan, p));
        }
        if (json) {
            printJson(Reports.toJson("compact", r).put("bytesReclaimed", r.bytesReclaimed()));
        } else {
            out().println("compacted " + r.segmentsRewritten() + " of " + r.segmentsExamined() + " sealed segments in "
                    + r.millis() + " ms: removed " + r.eventsRemoved() + " events, erased " + r.payloadsErased()
                    + " payloads, reclaimed " + InfoCommand.bytes(r.bytesReclaimed()) + " ("
                    + InfoCommand.bytes(r.bytesBefore()) + " -> " + InfoCommand.bytes(r.bytesAfter()) + ")");
        }
        out().flush();
        return BatpakCli.OK;
    }

    private CompactionPlan plan() {
        CompactionPlan plan = CompactionPlan.ERASE_ONLY;
        if (maxAge != null) {
            plan = plan.withMaxAge(duration(maxAge));
        }
        if (maxPerEntity != null) {
            if (maxPerEntity < 0) {
                throw new CliException(BatpakCli.USAGE, "--max-events-per-entity must be >= 0, was " + maxPerEntity);
            }
            plan = plan.withMaxEventsPerEntity(maxPerEntity);
        }
        for (String prefix : removeEntities) {
            Region r = Region.entity(prefix);
            plan = plan.withRemoveIf(e -> r.matchesEntity(e.coordinate().entity()));
        }
        return plan;
    }

    static Duration duration(String text) {
        try {
            if (text.startsWith("P") || text.startsWith("p")) {
                return Duration.parse(text);
            }
            if (text.length() >= 2) {
                long n = Long.parseLong(text.substring(0, text.length() - 1));
                switch (text.charAt(text.length() - 1)) {
                    case 'd':
                        return Duration.ofDays(n);
                    case 'h':
                        return Duration.ofHours(n);
                    case 'm':
                        return Duration.ofMinutes(n);
                    case 's':
                        return Duration.ofSeconds(n);
                    default:
                        break;
                }
            }
        } catch (RuntimeException e) {
            // reported below
        }
        throw new CliException(BatpakCli.USAGE, "--max-age '" + text + "' is not a duration (P30D, PT12H, 30d, 12h,"
                + " 90m, 45s)");
    }
}
