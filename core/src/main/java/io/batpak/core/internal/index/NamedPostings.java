package io.batpak.core.internal.index;

import java.util.Arrays;
import java.util.Collections;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Interned names (scopes, tags) with dense ids from 0 and a posting list per name. One writer thread interns; any
 * thread looks up. A reader that found an id sees its name and list (the arrays are published before the map).
 */
final class NamedPostings {
    private static final int INITIAL = 16;

    private final ConcurrentHashMap<String, Integer> byName = new ConcurrentHashMap<>();
    /** The same names in order, for prefix listing; null when not listed. */
    private final ConcurrentSkipListMap<String, Integer> sorted;
    private volatile String[] names = new String[INITIAL];
    private volatile PostingList[] postings = new PostingList[INITIAL];
    private int count;

    NamedPostings(boolean listed) {
        this.sorted = listed ? new ConcurrentSkipListMap<>() : null;
    }

    /** The id of {@code name}, interned when new. Writer thread only. */
    int intern(String name) {
        Integer id = byName.get(name);
        if (id != null) {
            return id;
        }
        String[] n = names;
        PostingList[] p = postings;
        if (count == n.length) {
            n = Arrays.copyOf(n, n.length * 2);
            p = Arrays.copyOf(p, n.length);
        }
        int newId = count;
        n[newId] = name;
        p[newId] = new PostingList(0);
        names = n;
        postings = p;
        count = newId + 1;
        byName.put(name, newId);
        if (sorted != null) {
            sorted.put(name, newId);
        }
        return newId;
    }

    /** The id of {@code name}, or -1. */
    int find(String name) {
        Integer id = byName.get(name);
        return id == null ? -1 : id;
    }

    String name(int id) {
        return names[id];
    }

    PostingList postings(int id) {
        return postings[id];
    }

    /** Names interned so far. */
    int count() {
        return count;
    }

    /** Listed names in [{@code from}, {@code to}) in order ({@code to} null: unbounded), with their ids. */
    NavigableMap<String, Integer> inRange(String from, String to) {
        return Collections.unmodifiableNavigableMap(to == null ? sorted.tailMap(from, true)
                : sorted.subMap(from, true, to, false));
    }
}
