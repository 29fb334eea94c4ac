package org.summoner.relay.server.logging;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.List;
import java.util.Map;

/**
 * {@code logger.log_keys}: which part of a relayed line reaches the log, so private payload fields stay out.
 *
 * <ul>
 *   <li>A line the SDK wrapped ({@code wrap_with_types}: a JSON object with {@code _payload}) is kept the way the
 *       Rust server keeps it ({@code rust_server_v1_1_0/src/logger/mod.rs}, {@code prune_content_value}):
 *       {@code _version} whole, and {@code _payload} and {@code _type} with only the listed keys when they are
 *       objects; a {@code _payload} or {@code _type} that is not an object is left out, and nothing else is kept.</li>
 *   <li>Any other JSON object keeps only its listed top-level keys (upstream's Rust server would log {@code {}}).</li>
 *   <li>A line that is not a JSON object is logged as it is.</li>
 *   <li>A line that starts as JSON does ({@code {} or {@code [}) but cannot be read is not logged, only its length:
 *       it may hold the very keys {@code log_keys} keeps out, and a filter must not fail open.</li>
 * </ul>
 * Lines are read as Python's {@code json} writes them: {@code NaN} and {@code Infinity} are numbers (the SDK sends them
 * for such floats). Without {@code log_keys} (null) every line is logged whole. Thread-safe.
 */
final class LogKeys {
    static final String VERSION = "_version";
    static final String PAYLOAD = "_payload";
    static final String TYPE = "_type";
    /** One JSON value and nothing after it, as {@code serde_json::from_str}; Python's non-finite numbers accepted. */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private final List<String> keys;

    /** @param keys null keeps every line whole. */
    LogKeys(List<String> keys) {
        this.keys = keys;
    }

    /**
     * @return the line as a JSON log line's {@code message.content} holds it, as the Rust server's JSON log does: the
     *         JSON value the line is, pruned, or the line as a string when it is not JSON.
     */
    JsonNode forJson(String content) {
        final JsonNode parsed = parse(content);
        if (parsed == null) {
            return TextNode.valueOf(unreadable(content) ? withheld(content) : content);
        }
        return keys != null && parsed.isObject() ? pruned((ObjectNode) parsed) : parsed;
    }

    /** @return the line as a text log line shows it: pruned when it is a JSON object and {@code log_keys} is set. */
    String forText(String content) {
        if (keys == null) {
            return content;
        }
        final JsonNode parsed = parse(content);
        if (parsed == null) {
            return unreadable(content) ? withheld(content) : content;
        }
        return parsed.isObject() ? pruned((ObjectNode) parsed).toString() : content;
    }

    /** @return whether, with {@code log_keys} set, a line that failed to parse must be withheld: it starts as JSON does. */
    private boolean unreadable(String content) {
        if (keys == null) {
            return false;
        }
        for (int i = 0; i < content.length(); i++) {
            final char c = content.charAt(i);
            if (c == '{' || c == '[') {
                return true;
            }
            if (!Character.isWhitespace(c) && c != '\uFEFF') {
                return false;
            }
        }
        return false;
    }

    private static String withheld(String content) {
        return "(not logged: " + content.length() + " characters that start as JSON but could not be read, so log_keys could not filter them)";
    }

    private ObjectNode pruned(ObjectNode line) {
        final ObjectNode kept = MAPPER.createObjectNode();
        if (!line.has(PAYLOAD)) {
            keepListed(line, kept);
            return kept;
        }
        final JsonNode version = line.get(VERSION);
        if (version != null) {
            kept.set(VERSION, version);
        }
        for (String field : List.of(PAYLOAD, TYPE)) {
            final JsonNode inner = line.get(field);
            if (inner != null && inner.isObject()) {
                keepListed(inner, kept.putObject(field));
            }
        }
        return kept;
    }

    private void keepListed(JsonNode from, ObjectNode to) {
        for (Map.Entry<String, JsonNode> field : from.properties()) {
            if (keys.contains(field.getKey())) {
                to.set(field.getKey(), field.getValue());
            }
        }
    }

    /** @return the line's JSON value, or null when it is not one JSON value. */
    private static JsonNode parse(String content) {
        if (content.isBlank()) {
            return null;
        }
        try {
            return MAPPER.readTree(content);
        } catch (Exception notJson) {
            return null;
        }
    }
}
