package io.batpak.cli.internal;

import io.batpak.cli.BatpakCli;
import io.batpak.core.ReadOnlyStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "read", mixinStandardHelpOptions = true,
        header = "Show the events of one entity.",
        description = "Shows the events of one entity in entity-sequence order.")
public final class ReadCommand extends StoreCommand {
    @Parameters(index = "1", paramLabel = "<entity>", description = "the entity's name, as order:42")
    String entity;

    @Option(names = "--from", paramLabel = "N", defaultValue = "0", description = "first entity sequence (default 0)")
    long from;

    @Option(names = "--limit", paramLabel = "N", description = "at most N events (default batpak.cli.default-limit)")
    Integer limit;

    @Override
    int execute() {
        int max = Limits.of(limit, settings());
        if (from < 0) {
            throw new CliException(BatpakCli.USAGE, "--from must be >= 0, was " + from);
        }
        EventFormat f = new EventFormat(out(), json, settings().tablePayloadWidth());
        try (ReadOnlyStore store = openReadOnly()) {
            f.printPage(store.readEntity(entity, from, max), max, err(), "--from", e -> e.entitySequence() + 1);
        }
        f.finish();
        return BatpakCli.OK;
    }
}
