package io.batpak.cli.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batpak.cli.BatpakCli;
import io.batpak.core.IntegrityBreak;
import io.batpak.core.ReadOnlyStore;
import io.batpak.core.VerifyReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "verify", mixinStandardHelpOptions = true,
        header = "Verify every checksum, hash and chain link.",
        description = "Verifies the whole store: every frame's checksum and BLAKE3 hash, every chain link, sequence"
                + " and segment. Exit code 1 at the first break, which it names (file, offset, event).")
public final class VerifyCommand extends StoreCommand {
    @Option(names = "--entity", paramLabel = "E", description = "verify only this entity's chain")
    String entity;

    @Override
    int execute() {
        VerifyReport r;
        try (ReadOnlyStore store = openReadOnly(); Progress p = progress()) {
            r = entity == null ? store.verify(p) : store.verifyEntity(entity);
        }
        IntegrityBreak b = r.firstBreak();
        if (json) {
            ObjectNode n = EventFormat.JSON.createObjectNode();
            n.put("ok", r.ok());
            n.put("events", r.events());
            n.put("entities", r.entities());
            n.put("segments", r.segments());
            n.put("bytes", r.bytes());
            if (b != null) {
                ObjectNode bn = n.putObject("break");
                bn.put("reason", b.reason().name());
                bn.put("file", String.valueOf(b.file()));
                bn.put("offset", b.offset());
                bn.put("eventId", b.eventId() == null ? null : b.eventId().toString());
                bn.put("globalSequence", b.globalSequence());
                bn.put("entity", b.entity());
                bn.put("entitySequence", b.entitySequence());
                bn.put("detail", b.detail());
            }
            printJson(n);
        } else if (b == null) {
            out().println("ok: " + r.events() + " events of " + r.entities() + " entities in "
                    + r.segments() + " segments (" + InfoCommand.bytes(r.bytes()) + ") verified");
        } else {
            out().println("BROKEN after " + r.events() + " good events: " + b);
        }
        out().flush();
        return r.ok() ? BatpakCli.OK : BatpakCli.PROBLEM;
    }
}
