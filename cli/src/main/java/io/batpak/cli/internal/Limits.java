package io.batpak.cli.internal;

import io.batpak.cli.BatpakCli;

/** The {@code --limit} of the commands that print events. */
final class Limits {
    private Limits() {
    }

    static int of(Integer limit, CliSettings settings) {
        if (limit == null) {
            return settings.defaultLimit();
        }
        if (limit <= 0) {
            throw new CliException(BatpakCli.USAGE, "--limit must be > 0, was " + limit);
        }
        return limit;
    }
}
