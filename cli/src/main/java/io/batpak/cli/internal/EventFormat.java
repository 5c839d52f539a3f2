package io.batpak.cli.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import io.batpak.core.EventKind;
import io.batpak.core.StoredEvent;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;

/**
 * How events are shown: a table (time, global and entity sequence, entity, scope, kind, tags, payload) or NDJSON,
 * one object per line. A payload that is one complete CBOR map or array (what typed events are) is shown as JSON,
 * anything else as hex.
 */
final class EventFormat {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory());
    private static final String ROW = "%-27s %8s %6s  %-24s %-12s %-6s %-16s %s";

    private final PrintWriter out;
    private final boolean json;
    private final int payloadWidth;
    private boolean headerShown;

    EventFormat(PrintWriter out, boolean json, int payloadWidth) {
        this.out = out;
        this.json = json;
        this.payloadWidth = payloadWidth;
    }

    void print(List<StoredEvent> events) {
        for (StoredEvent e : events) {
            print(e);
        }
        out.flush();
    }

    void print(StoredEvent e) {
        if (json) {
            out.println(toJson(e).toString());
            return;
        }
        if (!headerShown) {
            headerShown = true;
            out.println(String.format(ROW, "TIME", "GLOBAL", "SEQ", "ENTITY", "SCOPE", "KIND", "TAGS", "PAYLOAD"));
        }
        out.println(String.format(ROW, time(e.timestampMicros()), e.globalSequence(), e.entitySequence(),
                e.coordinate().entity(), e.coordinate().scope(), kind(e.kind()),
                e.tags().isEmpty() ? "-" : String.join(",", e.tags()), cut(payloadText(e))));
    }

    /**
     * Prints a page of at most {@code max} events; a full table page also tells {@code err} the option that shows
     * the next one ({@code option} followed by {@code next} applied to the page's last event).
     */
    void printPage(List<StoredEvent> page, int max, java.io.PrintWriter err, String option,
                   java.util.function.ToLongFunction<StoredEvent> next) {
        print(page);
        if (page.size() == max && !json) {
            err.println("(" + max + " events shown; for more: " + option + " "
                    + next.applyAsLong(page.get(page.size() - 1)) + ")");
        }
    }

    /** Prints "(no events)" for an empty table; NDJSON prints nothing. */
    void finish() {
        if (!json && !headerShown) {
            out.println("(no events)");
        }
        out.flush();
    }

    static String time(long micros) {
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS).truncatedTo(ChronoUnit.MICROS).toString();
    }

    static String kind(EventKind k) {
        return String.format("%X:%03X", k.category(), k.type());
    }

    private String cut(String s) {
        return s.length() <= payloadWidth ? s : s.substring(0, Math.max(0, payloadWidth - 3)) + "...";
    }

    private static String payloadText(StoredEvent e) {
        if (e.payloadRedacted()) {
            return e.payloadEncrypted() ? "(erased: subject forgotten)" : "(redacted)";
        }
        JsonNode tree = decodeCbor(e.payload());
        return tree != null ? tree.toString() : "0x" + HexFormat.of().formatHex(e.payload());
    }

    static ObjectNode toJson(StoredEvent e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("eventId", e.eventId().toString());
        n.put("globalSequence", e.globalSequence());
        n.put("entitySequence", e.entitySequence());
        n.put("entity", e.coordinate().entity());
        n.put("scope", e.coordinate().scope());
        n.put("kind", kind(e.kind()));
        n.put("time", time(e.timestampMicros()));
        n.put("timestampMicros", e.timestampMicros());
        n.put("correlationId", e.correlationId().toString());
        e.causationId().ifPresent(c -> n.put("causationId", c.toString()));
        n.putPOJO("tags", e.tags());
        n.put("payloadVersion", e.payloadVersion());
        n.put("flags", e.flags());
        n.put("eventHash", e.eventHash().toString());
        n.put("prevHash", e.prevHash().toString());
        n.put("payloadRedacted", e.payloadRedacted());
        n.put("payloadSealed", e.payloadEncrypted());
        if (!e.payloadRedacted()) {
            JsonNode tree = decodeCbor(e.payload());
            if (tree != null) {
                n.set("payload", tree);
            } else {
                n.put("payloadHex", HexFormat.of().formatHex(e.payload()));
            }
        }
        return n;
    }

    /** The payload as a JSON tree when it is exactly one CBOR map or array, else null. */
    static JsonNode decodeCbor(byte[] payload) {
        if (payload.length == 0) {
            return null;
        }
        int major = (payload[0] & 0xFF) >> 5;
        boolean selfDescribed = payload.length > 3 && (payload[0] & 0xFF) == 0xD9 && (payload[1] & 0xFF) == 0xD9
                && (payload[2] & 0xFF) == 0xF7;
        if (major != 4 && major != 5 && !selfDescribed) {
            return null;
        }
        try (JsonParser p = CBOR.getFactory().createParser(payload)) {
            JsonNode tree = CBOR.readTree(p);
            if (tree == null || !(tree.isObject() || tree.isArray()) || p.nextToken() != null) {
                return null;
            }
            return tree;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
