package io.batpak.cli.internal;

import io.batpak.cli.BatpakCli;
import io.batpak.core.StoreFollower;
import io.batpak.core.StoredEvent;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "tail", mixinStandardHelpOptions = true,
        header = "Follow new events live, also while an application writes.",
        description = "Follows new events live, like tail -f, until interrupted (Ctrl-C). Works while an application"
                + " has the store open: it reads the segment files without taking the store's lock.")
public final class TailCommand extends StoreCommand {
    @Mixin
    RegionOptions region;

    @Option(names = "--from-end", description = "only events written after tail started (default: from the first,"
            + " or after --after)")
    boolean fromEnd;

    @Option(names = "--after", paramLabel = "G", defaultValue = "-1",
            description = "start after global sequence G (default -1: from the first)")
    long after;

    @Option(names = "--limit", paramLabel = "N",
            description = "stop after N events (default: follow until interrupted)")
    Integer limit;

    @Override
    int execute() {
        if (after < -1) {
            throw new CliException(BatpakCli.USAGE, "--after must be >= -1, was " + after);
        }
        if (fromEnd && after != -1) {
            throw new CliException(BatpakCli.USAGE, "--from-end and --after exclude each other");
        }
        long remaining = limit == null ? Long.MAX_VALUE : Limits.of(limit, settings());
        var selected = region.region();
        CliSettings s = settings();
        requireStore();
        StoreFollower follower;
        try {
            follower = fromEnd ? StoreFollower.openAtEnd(storeConfig(), selected)
                    : StoreFollower.open(storeConfig(), selected, after);
        } catch (RuntimeException e) {
            throw new CliException(BatpakCli.CANNOT_OPEN, "cannot open " + storeDir + ": " + Cli.message(e), e);
        }
        EventFormat f = new EventFormat(out(), json, s.tablePayloadWidth());
        long parkNanos = s.tailPollInterval().toNanos();
        try (follower) {
            while (remaining > 0 && !Thread.currentThread().isInterrupted()) {
                List<StoredEvent> events = follower.poll((int) Math.min(remaining, s.tailBatchSize()));
                if (events.isEmpty()) {
                    if (out().checkError()) {
                        break;
                    }
                    LockSupport.parkNanos(parkNanos);
                    continue;
                }
                f.print(events);
                remaining -= events.size();
                if (out().checkError()) {
                    break; // whoever read the output went away (a closed pipe): stop, as tail does
                }
            }
        }
        return BatpakCli.OK;
    }
}
