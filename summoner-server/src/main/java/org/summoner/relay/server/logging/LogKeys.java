package org.summoner.relay.server.logging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;

/**
 * {@code logger.log_keys}: when a relayed line is a JSON object, only these keys of it reach the log, so private
 * payload fields stay out; any other line is logged as it is. Thread-safe.
 */
final class LogKeys {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final List<String> keys;

    /** @param keys null keeps every line whole. */
    LogKeys(List<String> keys) {
        this.keys = keys;
    }

    /** @return the JSON object with only the kept keys, or null when the line is logged as it is. */
    ObjectNode prunedObject(String content) {
        if (keys == null || content.isEmpty() || content.charAt(0) != '{') {
            return null;
        }
        final JsonNode parsed;
        try {
            parsed = MAPPER.readTree(content);
        } catch (Exception notJson) {
            return null;
        }
        if (parsed == null || !parsed.isObject()) {
            return null;
        }
        final ObjectNode kept = MAPPER.createObjectNode();
        for (Map.Entry<String, JsonNode> field : parsed.properties()) {
            if (keys.contains(field.getKey())) {
                kept.set(field.getKey(), field.getValue());
            }
        }
        return kept;
    }

    /** @return the line as it may be logged. */
    String prune(String content) {
        final ObjectNode kept = prunedObject(content);
        return kept == null ? content : kept.toString();
    }
}
