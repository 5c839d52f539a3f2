package io.batpak.cli.internal;

import io.batpak.cli.BatpakCli;
import io.batpak.core.ImportReport;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "import", mixinStandardHelpOptions = true,
        header = "Import an export file.",
        description = "Appends the events of an export file, with records of where they came from. The whole file is"
                + " checked first: a damaged file imports nothing (exit code 1). Events already in the store are"
                + " skipped, so an interrupted import can be run again.")
public final class ImportCommand extends StoreCommand {
    @Parameters(index = "1", paramLabel = "<file>", description = "the export file")
    Path file;

    @Option(names = "--create", description = "create the store when the directory has none")
    boolean create;

    @Override
    int execute() {
        if (!Files.isRegularFile(file)) {
            throw new CliException(BatpakCli.USAGE, "no export file " + file);
        }
        ImportReport r;
        try (Writable w = openWritable(create); Progress p = progress()) {
            r = w.await(w.store.importFrom(file, p));
        }
        if (json) {
            printJson(Reports.toJson("import", r));
        } else {
            out().println("imported " + r.imported() + " events from store " + r.sourceStoreId() + " in "
                    + r.batches() + " batches; skipped " + r.alreadyPresent() + " already present, "
                    + r.skippedRedacted() + " redacted, " + r.skippedStoreRecords() + " store records");
        }
        out().flush();
        return BatpakCli.OK;
    }
}
