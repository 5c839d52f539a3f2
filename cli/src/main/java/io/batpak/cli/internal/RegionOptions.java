package io.batpak.cli.internal;

import io.batpak.core.EventKind;
import io.batpak.core.Region;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The options that select events: entity (a name or namespace prefix), scope, kind and tags. */
final class RegionOptions {
    @Option(names = "--entity", paramLabel = "P",
            description = "entity name or namespace prefix (\"order\" selects order:1, order:2, ...)")
    String entity;

    @Option(names = "--scope", paramLabel = "S", description = "only events of this scope")
    String scope;

    @Option(names = "--kind", paramLabel = "C:T",
            description = "only events of this kind: category and type in hex, as 1:001 or 0x1:0x001")
    String kind;

    @Option(names = "--tag", paramLabel = "T", description = "only events carrying this tag (repeatable: all of them)")
    List<String> tags = new ArrayList<>();

    /** The region, or {@code Region.all()} when no option was given. */
    Region region() {
        Region r = entity == null ? Region.all() : Region.entity(entity);
        if (scope != null) {
            r = r.withScope(scope);
        }
        if (kind != null) {
            r = r.withKind(parseKind(kind));
        }
        for (String t : tags) {
            r = r.withTag(t);
        }
        return r;
    }

    static EventKind parseKind(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new CliException(io.batpak.cli.BatpakCli.USAGE, "--kind '" + text
                    + "' is not category:type (hex, as 1:001)");
        }
        try {
            return EventKind.of(hex(text.substring(0, colon)), hex(text.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new CliException(io.batpak.cli.BatpakCli.USAGE, "--kind '" + text
                    + "' is not category:type (hex, as 1:001)");
        }
    }

    private static int hex(String s) {
        String digits = s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
        if (digits.isEmpty() || digits.length() > 4) {
            throw new NumberFormatException(s);
        }
        return Integer.parseInt(digits, 16);
    }
}
