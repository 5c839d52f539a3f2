package io.batpak.cli.internal;

import io.batpak.cli.BatpakCli;
import io.batpak.core.ReadOnlyStore;
import io.batpak.core.StoredEvent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "query", mixinStandardHelpOptions = true,
        header = "Show the events of a region (entity, scope, kind, tags).",
        description = "Shows the events of a region (entity prefix, scope, kind, tags) in global order.")
public final class QueryCommand extends StoreCommand {
    @Mixin
    RegionOptions region;

    @Option(names = "--after", paramLabel = "G", defaultValue = "-1",
            description = "only events after global sequence G (default -1: from the first)")
    long after;

    @Option(names = "--limit", paramLabel = "N", description = "at most N events (default batpak.cli.default-limit)")
    Integer limit;

    @Override
    int execute() {
        int max = Limits.of(limit, settings());
        if (after < -1) {
            throw new CliException(BatpakCli.USAGE, "--after must be >= -1, was " + after);
        }
        var selected = region.region();
        EventFormat f = new EventFormat(out(), json, settings().tablePayloadWidth());
        try (ReadOnlyStore store = openReadOnly()) {
            f.printPage(store.query(selected, after, max), max, err(), "--after", StoredEvent::globalSequence);
        }
        f.finish();
        return BatpakCli.OK;
    }
}
