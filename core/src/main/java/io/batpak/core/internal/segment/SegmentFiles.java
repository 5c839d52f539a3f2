package io.batpak.core.internal.segment;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Names and lists segment files: {@code segments/<20-digit zero-padded first global sequence>.seg}. */
public final class SegmentFiles {
    public static final String DIRECTORY = "segments";
    public static final String SUFFIX = ".seg";
    /** Suffix of a segment's rewrite in progress ({@code <segment file name>.rewrite}); never read as a segment. */
    public static final String REWRITE_SUFFIX = ".rewrite";
    private static final int DIGITS = 20;

    private SegmentFiles() {
    }

    public static Path directory(Path dataDir) {
        return dataDir.resolve(DIRECTORY);
    }

    public static String fileName(long firstGlobalSequence) {
        return String.format("%0" + DIGITS + "d", firstGlobalSequence) + SUFFIX;
    }

    /** The first global sequence encoded in a segment file name, or -1 when the name is not a segment's. */
    public static long parse(String fileName) {
        if (fileName.length() != DIGITS + SUFFIX.length() || !fileName.endsWith(SUFFIX)) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < DIGITS; i++) {
            char c = fileName.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** Where the rewrite of segment file {@code segment} is written before it replaces it. */
    public static Path rewritePath(Path segment) {
        return segment.resolveSibling(segment.getFileName() + REWRITE_SUFFIX);
    }

    /** Rewrites left behind by an interrupted compaction (each is incomplete or was never swapped in). */
    public static List<Path> leftoverRewrites(Path dataDir) throws IOException {
        Path dir = directory(dataDir);
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX + REWRITE_SUFFIX)) {
            for (Path p : ds) {
                out.add(p);
            }
        }
        return out;
    }

    /** Segment files of {@code dataDir}, ordered by first global sequence. */
    public static List<Path> list(Path dataDir) throws IOException {
        Path dir = directory(dataDir);
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path p : ds) {
                if (parse(p.getFileName().toString()) >= 0) {
                    out.add(p);
                }
            }
        }
        out.sort((a, b) -> Long.compare(parse(a.getFileName().toString()), parse(b.getFileName().toString())));
        return out;
    }

}
