package io.batpak.core.internal.exchange;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** What the export writer and reader share: magic, versions, mappers and the payload-as-JSON rule. */
final class ExportFiles {
    /** First 8 bytes of a binary export. */
    static final byte[] BINARY_MAGIC = "BATPAKEX".getBytes(StandardCharsets.US_ASCII);
    /** First bytes of an NDJSON export's header line. */
    static final String NDJSON_START = "{\"batpakExport\":";
    static final int VERSION = 1;
    /** Binary record length that marks the trailer. */
    static final int TRAILER_MARK = 0;
    static final ObjectMapper JSON = new ObjectMapper();
    static final CBORMapper CBOR = new CBORMapper();

    private ExportFiles() {
    }

    /**
     * The payload as JSON, when it is CBOR: {@code exact} tells whether CBOR to JSON text to CBOR gives the stored
     * bytes back (then the JSON alone restores them); null when the payload is not CBOR.
     */
    static Json payloadAsJson(byte[] payload) {
        if (payload.length == 0) {
            return null;
        }
        try {
            JsonNode node = CBOR.readTree(payload);
            if (node == null || node.isMissingNode()) {
                return null;
            }
            JsonNode back = JSON.readTree(JSON.writeValueAsString(node));
            return new Json(back, Arrays.equals(CBOR.writeValueAsBytes(back), payload));
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    /** Whether {@code json} is what {@code payload} decodes to (compared as JSON text trees). */
    static boolean sameValue(JsonNode json, byte[] payload) {
        Json decoded = payloadAsJson(payload);
        return decoded != null && decoded.node().equals(json);
    }

    /** A payload as a JSON value, and whether that value alone restores the payload's bytes. */
    record Json(JsonNode node, boolean exact) {
    }
}
