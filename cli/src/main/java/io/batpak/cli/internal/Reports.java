package io.batpak.cli.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The summary an operation prints: a line of text, or its report as one JSON object. */
final class Reports {
    private Reports() {
    }

    /** A report record as JSON: its components by name (paths as strings). */
    static ObjectNode toJson(String operation, Record report) {
        ObjectNode n = EventFormat.JSON.createObjectNode();
        n.put("operation", operation);
        for (var c : report.getClass().getRecordComponents()) {
            Object v;
            try {
                v = c.getAccessor().invoke(report);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + c.getName() + " of " + report, e);
            }
            if (v == null) {
                n.putNull(c.getName());
            } else if (v instanceof Number num) {
                n.put(c.getName(), num.longValue());
            } else if (v instanceof Boolean b) {
                n.put(c.getName(), b);
            } else if (v instanceof java.util.Collection<?> items) {
                var a = n.putArray(c.getName());
                items.forEach(i -> a.add(String.valueOf(i)));
            } else {
                n.put(c.getName(), v.toString());
            }
        }
        return n;
    }
}
