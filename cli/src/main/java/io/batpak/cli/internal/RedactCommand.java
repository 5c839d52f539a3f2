package io.batpak.cli.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batpak.cli.BatpakCli;
import io.batpak.core.EventId;
import io.batpak.core.RedactionReport;
import io.batpak.core.RedactionRequest;
import io.batpak.core.error.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "redact", mixinStandardHelpOptions = true,
        header = "Redact the payloads of an entity or of events (GDPR erasure).",
        description = "Removes payloads (GDPR erasure): the events keep their headers and chain links, the redaction"
                + " is recorded, and reads return them without payload. The bytes are erased at the next compaction,"
                + " or now with --erase-now.")
public final class RedactCommand extends StoreCommand {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Target {
        @Option(names = "--entity", paramLabel = "E", required = true,
                description = "redact every event of this entity")
        String entity;

        @Option(names = "--event", paramLabel = "ID", required = true,
                description = "redact this event (repeatable)")
        List<String> events;
    }

    @Option(names = "--reason", paramLabel = "TEXT", required = true,
            description = "why (recorded with the redaction, as \"GDPR request 2024-118\")")
    String reason;

    @Option(names = "--erase-now", description = "also compact now, so the payload bytes leave the files before this"
            + " command ends")
    boolean eraseNow;

    @Override
    int execute() {
        RedactionRequest request;
        if (target.entity != null) {
            request = RedactionRequest.entity(target.entity, reason);
        } else {
            List<EventId> ids = new ArrayList<>();
            for (String s : target.events) {
                try {
                    ids.add(EventId.parse(s));
                } catch (InvalidInputException e) {
                    throw new CliException(BatpakCli.USAGE, "--event '" + s + "' is not an event id (a UUID)");
                }
            }
            request = RedactionRequest.events(ids, reason);
        }
        if (eraseNow) {
            request = request.withEraseNow();
        }
        RedactionReport r;
        try (Writable w = openWritable(false); Progress p = progress()) {
            r = w.await(w.store.redact(request, p));
        }
        if (json) {
            ObjectNode n = Reports.toJson("redact", r);
            printJson(n);
        } else {
            out().println("redacted " + r.redacted().size() + " events (" + r.records().size() + " redaction records"
                    + (r.notFound().isEmpty() ? "" : ", " + r.notFound().size() + " not found: " + r.notFound())
                    + "); payload bytes " + (r.erased() ? "erased from the segment files"
                    : "erased at the next compaction"));
        }
        out().flush();
        return r.notFound().isEmpty() ? BatpakCli.OK : BatpakCli.PROBLEM;
    }
}
