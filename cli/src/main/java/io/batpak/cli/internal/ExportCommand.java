package io.batpak.cli.internal;

import io.batpak.cli.BatpakCli;
import io.batpak.core.ExportFormat;
import io.batpak.core.ExportReport;
import io.batpak.core.ReadOnlyStore;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "export", mixinStandardHelpOptions = true,
        header = "Export events to an NDJSON or binary file.",
        description = "Writes the events of a region (default: all) to a file, NDJSON or binary, that import reads"
                + " back. Never replaces a file; a failed export leaves none.")
public final class ExportCommand extends StoreCommand {
    @Parameters(index = "1", paramLabel = "<file>", description = "the export file to create")
    Path file;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "ndjson", converter = Converters.Format.class,
            description = "ndjson (one event per line, readable) or binary (frames as stored, smaller)")
    ExportFormat format;

    @Mixin
    RegionOptions region;

    @Override
    int execute() {
        var selected = region.region();
        ExportReport r;
        try (ReadOnlyStore store = openReadOnly(); Progress p = progress()) {
            r = store.export(selected, file, format, p);
        }
        if (json) {
            printJson(Reports.toJson("export", r));
        } else {
            out().println("exported " + r.events() + " events through global " + r.throughGlobalSequence() + " to "
                    + r.file() + " (" + r.format().name().toLowerCase(java.util.Locale.ROOT) + ", "
                    + InfoCommand.bytes(r.bytes()) + ")");
        }
        out().flush();
        return BatpakCli.OK;
    }
}
