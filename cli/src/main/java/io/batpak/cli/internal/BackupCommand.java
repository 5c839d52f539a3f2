package io.batpak.cli.internal;

import io.batpak.core.BackupReport;
import io.batpak.cli.BatpakCli;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "backup", mixinStandardHelpOptions = true,
        header = "Make a consistent, verifiable copy of the store.",
        description = "Makes a consistent copy of the store that opens and verifies on its own. Sealed segments are"
                + " hard-linked where the file system allows; a failed backup leaves nothing at the destination.")
public final class BackupCommand extends StoreCommand {
    @Parameters(index = "1", paramLabel = "<destination>",
            description = "a directory that does not exist yet (or is empty), outside the store")
    Path destination;

    @Override
    int execute() {
        BackupReport r;
        try (Writable w = openWritable(false); Progress p = progress()) {
            r = w.await(w.store.backup(destination, p));
        }
        if (json) {
            printJson(Reports.toJson("backup", r));
        } else {
            out().println("backed up " + r.events() + " events to " + r.destination() + ": " + r.segmentsLinked()
                    + " segments linked, " + r.segmentsCopied() + " copied (" + InfoCommand.bytes(r.bytesCopied())
                    + ")");
        }
        out().flush();
        return BatpakCli.OK;
    }
}
