package io.batpak.cli.internal;

import io.batpak.cli.BatpakCli;
import io.batpak.core.EventId;
import io.batpak.core.ReadOnlyStore;
import io.batpak.core.StoredEvent;
import io.batpak.core.error.InvalidInputException;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "get", mixinStandardHelpOptions = true,
        header = "Show one event by its id.",
        description = "Shows one event by its id. Exit code 1 when the store has no such event.")
public final class GetCommand extends StoreCommand {
    @Parameters(index = "1", paramLabel = "<event-id>", description = "the event's id (a UUID)")
    String eventId;

    @Override
    int execute() {
        EventId id;
        try {
            id = EventId.parse(eventId);
        } catch (InvalidInputException e) {
            throw new CliException(BatpakCli.USAGE, "'" + eventId + "' is not an event id (a UUID such as"
                    + " 0190f5e2-7a4b-7c3d-8e9f-0a1b2c3d4e5f)");
        }
        Optional<StoredEvent> e;
        try (ReadOnlyStore store = openReadOnly()) {
            e = store.get(id);
        }
        if (e.isEmpty()) {
            throw new CliException(BatpakCli.PROBLEM, "no event " + id + " in " + storeDir);
        }
        EventFormat f = new EventFormat(out(), json, settings().tablePayloadWidth());
        f.print(e.get());
        f.finish();
        return BatpakCli.OK;
    }
}
