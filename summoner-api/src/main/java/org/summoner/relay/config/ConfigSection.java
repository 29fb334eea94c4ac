package org.summoner.relay.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One JSON object of a configuration, read key by key with the checks every key gets: a wrong type or a value out
 * of range is a {@link ConfigException} naming the source, the dotted key, what was expected and what was found;
 * keys never read become warnings ({@link #warnUnknown()}). {@link ConfigReader} reads the Summoner sections with
 * it; an engine reads its own section ({@link ServerConfig#section(String)}) with it too, so its keys are checked
 * and reported the same way. Not thread-safe; read it once, at start-up.
 */
public final class ConfigSection {
    private final String source;
    final JsonNode node;
    private final String path;
    private final List<String> warnings;
    private final Set<String> known = new LinkedHashSet<>();

    ConfigSection(String source, JsonNode node, String path, List<String> warnings) {
        this.source = source;
        this.node = node;
        this.path = path;
        this.warnings = warnings;
    }

    /**
     * @return {@code value} read as the section {@code <parentPath><name>} of {@code source} (an engine's or a
     *         backplane's own), with its own list of warnings: absent or null is an empty section.
     * @throws ConfigException when {@code value} is something other than a JSON object.
     */
    static ConfigSection named(String source, String parentPath, String name, JsonNode value) {
        final ObjectNode parent = JsonNodeFactory.instance.objectNode();
        parent.set(name, value == null || value.isMissingNode() ? NullNode.getInstance() : value);
        return new ConfigSection(source, parent, parentPath, new ArrayList<>()).object(name);
    }

    /** @return where the configuration came from, as in {@link ConfigException#source()}. */
    public String source() {
        return source;
    }

    /** @return the dotted path of this section's keys, e.g. {@code "agrona."}; empty at the top level. */
    public String path() {
        return path;
    }

    /** @return whether the key is present and not null; either way it counts as known. */
    public boolean has(String key) {
        known.add(key);
        final JsonNode value = node.get(key);
        return value != null && !value.isNull();
    }

    /** @return whether {@code key} is there with the value {@code null}, which for some keys means "off". */
    public boolean isNull(String key) {
        known.add(key);
        final JsonNode value = node.get(key);
        return value != null && value.isNull();
    }

    /** @return the nested object, or an empty section when the key is absent or null. */
    public ConfigSection object(String key) {
        final JsonNode value = has(key) ? node.get(key) : NullNode.getInstance();
        if (!value.isNull() && !value.isObject()) {
            throw invalid(key, "a JSON object", value);
        }
        return new ConfigSection(source, value, path + key + ".", warnings);
    }

    /** @return the string at {@code key}, or {@code defaultValue} when it is absent or null. */
    public String string(String key, String defaultValue) {
        if (!has(key)) {
            return defaultValue;
        }
        final JsonNode value = node.get(key);
        if (!value.isTextual()) {
            throw invalid(key, "a string", value);
        }
        return value.textValue();
    }

    /** @return the boolean at {@code key}, or {@code defaultValue} when it is absent or null. */
    public boolean bool(String key, boolean defaultValue) {
        if (!has(key)) {
            return defaultValue;
        }
        final JsonNode value = node.get(key);
        if (!value.isBoolean()) {
            throw invalid(key, "true or false", value);
        }
        return value.booleanValue();
    }

    /** @return the integer at {@code key}, from {@code min} to {@code max}, or {@code defaultValue} when absent or null. */
    public long integer(String key, long defaultValue, long min, long max) {
        if (!has(key)) {
            return defaultValue;
        }
        final JsonNode value = node.get(key);
        if (!value.isIntegralNumber() || !value.canConvertToLong()
                || value.longValue() < min || value.longValue() > max) {
            throw invalid(key, integerRange(min, max), value);
        }
        return value.longValue();
    }

    /** @return the integer at {@code key}, from {@code min} to {@code max}; empty when it is absent or null. */
    public OptionalLong optionalInteger(String key, long min, long max) {
        if (!has(key)) {
            return OptionalLong.empty();
        }
        final JsonNode value = node.get(key);
        if (!value.isIntegralNumber() || !value.canConvertToLong()
                || value.longValue() < min || value.longValue() > max) {
            throw invalid(key, integerRange(min, max) + " or null", value);
        }
        return OptionalLong.of(value.longValue());
    }

    /** @return the list of strings at {@code key}, or null when it is absent or null. */
    public List<String> stringList(String key) {
        if (!has(key)) {
            return null;
        }
        final JsonNode value = node.get(key);
        final String expected = "null or a list of strings";
        if (!value.isArray()) {
            throw invalid(key, expected, value);
        }
        final List<String> items = new ArrayList<>(value.size());
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                throw invalid(key, expected, value);
            }
            items.add(item.textValue());
        }
        return List.copyOf(items);
    }

    /**
     * @return the object at {@code key} as a map from its keys to lists of strings (in document order), or null
     *         when it is absent or null.
     */
    public Map<String, List<String>> stringListMap(String key, String expected) {
        if (!has(key)) {
            return null;
        }
        final JsonNode value = node.get(key);
        if (!value.isObject()) {
            throw invalid(key, expected, value);
        }
        final Map<String, List<String>> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : value.properties()) {
            if (!field.getValue().isArray()) {
                throw invalid(key, expected, value);
            }
            final List<String> items = new ArrayList<>();
            for (JsonNode item : field.getValue()) {
                if (!item.isTextual()) {
                    throw invalid(key, expected, value);
                }
                items.add(item.textValue());
            }
            map.put(field.getKey(), List.copyOf(items));
        }
        return map;
    }

    /** Marks every key of this section as known: a section whose other keys are read by nobody and warned of by no one. */
    public void acceptAllKeys() {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            known.add(names.next());
        }
    }

    /**
     * @return the networks listed at {@code key} (CIDRs such as {@code "10.0.0.0/8"} or {@code "::1/128"}, or bare
     *         addresses), or {@code defaultValue} when it is absent or null; {@code []} is the empty set.
     */
    public NetworkSet networks(String key, NetworkSet defaultValue) {
        final List<String> texts = stringList(key);
        if (texts == null) {
            return defaultValue;
        }
        try {
            return NetworkSet.parse(texts);
        } catch (IllegalArgumentException e) {
            throw invalid(key, "a list of networks such as \"10.0.0.0/8\" or \"::1/128\" (" + e.getMessage() + ")");
        }
    }

    /** Adds a warning for every key of this section that was never read. */
    public void warnUnknown() {
        for (String name : unknownKeys()) {
            warnings.add(unknownKeyWarning(source, path + name));
        }
    }

    /** Adds a warning about a key of this section that is read but has no effect, and why. */
    public void warnUnused(String key, String why) {
        warn(key, why);
    }

    /** Adds a warning about a value of this section that is used but unwise, e.g. a private key others can read. */
    public void warn(String key, String why) {
        warnings.add(source + ": key \"" + path + key + "\" " + why);
    }

    /** @return the warnings of this section and the sections read from it (an engine logs them at start). */
    public List<String> warnings() {
        return Collections.unmodifiableList(warnings);
    }

    /** @return the keys of this section that were never read, in document order. */
    List<String> unknownKeys() {
        final List<String> unknown = new ArrayList<>();
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            final String name = names.next();
            if (!known.contains(name)) {
                unknown.add(name);
            }
        }
        return unknown;
    }

    static String unknownKeyWarning(String source, String key) {
        return source + ": unknown key \"" + key + "\" ignored";
    }

    /**
     * @return the error for a value of {@code key} that the caller found wrong (e.g. not one of a set of names):
     *         it names the source, the dotted key, what was expected and what was found.
     */
    public ConfigException invalid(String key, String expected) {
        return invalid(key, expected, node.get(key));
    }

    ConfigException invalid(String key, String expected, JsonNode found) {
        return ConfigException.invalid(source, path + key, expected, String.valueOf(found));
    }

    private static String integerRange(long min, long max) {
        if (max == Long.MAX_VALUE || max == Integer.MAX_VALUE) {
            return min == 0 ? "a non-negative integer" : min == 1 ? "a positive integer" : "an integer of at least " + min;
        }
        return "an integer from " + min + " to " + max;
    }
}
