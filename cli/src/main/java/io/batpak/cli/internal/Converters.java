package io.batpak.cli.internal;

import io.batpak.core.ExportFormat;
import java.util.Arrays;
import java.util.Locale;
import picocli.CommandLine;

/** Enum options written in lower case on the command line (as {@code --format ndjson}), in any case accepted. */
final class Converters {
    private Converters() {
    }

    static <E extends Enum<E>> E parse(Class<E> type, String option, String text) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(text)) {
                return e;
            }
        }
        throw new CommandLine.TypeConversionException("'" + text + "' is not one of " + Arrays.stream(
                type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList() + " for " + option);
    }

    /** {@code --progress auto|always|never}. */
    static final class ProgressMode implements CommandLine.ITypeConverter<Progress.Mode> {
        @Override
        public Progress.Mode convert(String value) {
            return parse(Progress.Mode.class, "--progress", value);
        }
    }

    /** {@code --format ndjson|binary}. */
    static final class Format implements CommandLine.ITypeConverter<ExportFormat> {
        @Override
        public ExportFormat convert(String value) {
            return parse(ExportFormat.class, "--format", value);
        }
    }
}
