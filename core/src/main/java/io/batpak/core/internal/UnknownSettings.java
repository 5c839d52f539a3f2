package io.batpak.core.internal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds settings under {@code batpak { }} that no batpak module on the classpath defines (a typo such as
 * {@code sync_mode} would otherwise be ignored silently) and warns once per key, naming the key and the known
 * setting it most likely means. Known settings are those of every {@code reference.conf} on the classpath, so a
 * module's settings are known exactly when the module is there; anything below a {@code *-dispatcher} block is
 * Pekko's dispatcher configuration and is not checked.
 */
public final class UnknownSettings {
    private static final Logger LOG = LoggerFactory.getLogger(UnknownSettings.class);
    private static final String ROOT = "batpak";
    private static final String DISPATCHER_SUFFIX = "-dispatcher";
    private static final int MAX_SUGGESTION_DISTANCE = 3;
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private UnknownSettings() {
    }

    /**
     * The full paths ({@code batpak.x.y}) of the settings in {@code block} (the {@code batpak} block of a
     * configuration) that no reference configuration defines, in path order.
     */
    public static List<String> find(Config block) {
        Config reference = ConfigFactory.defaultReference();
        Config known = reference.hasPath(ROOT) ? reference.getConfig(ROOT) : ConfigFactory.empty();
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, ?> e : block.entrySet()) {
            String path = e.getKey();
            if (!known.hasPathOrNull(path) && !underDispatcher(path)) {
                unknown.add(ROOT + "." + path);
            }
        }
        unknown.sort(null);
        return unknown;
    }

    /** Logs a warning for each unknown setting of {@code block} not warned about before in this JVM. */
    public static void warn(Config block) {
        List<String> unknown = find(block);
        if (unknown.isEmpty()) {
            return;
        }
        Config reference = ConfigFactory.defaultReference();
        for (String path : unknown) {
            if (WARNED.add(path)) {
                String hint = suggestion(path, reference);
                LOG.warn("unknown setting {} is ignored{}", path, hint == null ? "" : "; did you mean " + hint + "?");
            }
        }
    }

    /** The known setting closest to {@code path}, or null when none is close. */
    public static String suggestion(String path, Config reference) {
        if (!reference.hasPath(ROOT)) {
            return null;
        }
        String wanted = normalise(path);
        String best = null;
        int bestDistance = MAX_SUGGESTION_DISTANCE + 1;
        for (Map.Entry<String, ?> e : reference.getConfig(ROOT).entrySet()) {
            String candidate = ROOT + "." + e.getKey();
            if (underDispatcher(e.getKey())) {
                continue;
            }
            int d = distance(wanted, normalise(candidate));
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return best;
    }

    private static boolean underDispatcher(String path) {
        for (String part : path.split("\\.")) {
            if (part.endsWith(DISPATCHER_SUFFIX)) {
                return true;
            }
        }
        return false;
    }

    private static String normalise(String s) {
        return s.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** Levenshtein distance; paths are short. */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
