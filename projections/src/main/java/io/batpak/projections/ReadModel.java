package io.batpak.projections;

import io.batpak.core.Region;
import io.batpak.core.error.InvalidInputException;
import java.util.List;

/**
 * A read model: a name, the region of events it reads, the LMDB databases it owns, and its handler. Started with
 * {@link Projections#start}. Names are 1 to 100 characters of {@code [A-Za-z0-9._-]}; database names likewise.
 * Immutable.
 */
public record ReadModel(String name, Region region, List<String> databases, ReadModelHandler handler) {
    public ReadModel {
        checkName("name", name);
        InvalidInputException.requireArgument(region, "region");
        InvalidInputException.requireArgument(databases, "databases");
        databases = List.copyOf(databases);
        if (databases.isEmpty()) {
            throw new InvalidInputException("databases", "read model " + name + " declares no database");
        }
        for (String db : databases) {
            checkName("databases", db);
        }
        InvalidInputException.requireArgument(handler, "handler");
    }

    /** A read model over {@code region} writing the named databases. */
    public static ReadModel of(String name, Region region, List<String> databases, ReadModelHandler handler) {
        return new ReadModel(name, region, databases, handler);
    }

    static void checkName(String parameter, String name) {
        InvalidInputException.requireArgument(name, parameter);
        if (name.isEmpty() || name.length() > 100 || !name.matches("[A-Za-z0-9._-]+")) {
            throw new InvalidInputException(parameter, parameter + " must be 1 to 100 characters of [A-Za-z0-9._-], was '"
                    + name + "'");
        }
    }
}
