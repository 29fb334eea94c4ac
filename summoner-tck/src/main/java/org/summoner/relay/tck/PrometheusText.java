package org.summoner.relay.tck;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format (version 0.0.4), written for the kit from the format's
 * description, not from the library that writes it: every line is a {@code # HELP}, a {@code # TYPE} or a sample;
 * a family's {@code TYPE} comes once and before its samples; a sample's name is its family's (or, for a summary or
 * histogram, the family's with {@code _count}, {@code _sum} or {@code _bucket}); label names are valid and label
 * values escaped; values are floats; no series appears twice; the text ends with a newline. Anything else throws
 * with the line.
 */
final class PrometheusText {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /** The families' types, by family name. */
    final Map<String, String> types = new LinkedHashMap<>();
    /** Every sample's value, by series: its name and its labels sorted by name, e.g. {@code a_total{reason="x"}}. */
    final Map<String, Double> samples = new LinkedHashMap<>();

    private PrometheusText() {
    }

    /** @throws IllegalArgumentException naming the line that breaks the format. */
    static PrometheusText parse(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the text does not end with a newline");
        }
        final PrometheusText parsed = new PrometheusText();
        final Set<String> helped = new HashSet<>();
        int number = 0;
        for (String line : text.split("\n", -1)) {
            number++;
            if (line.isEmpty()) {
                continue;
            }
            try {
                if (line.startsWith("# HELP ")) {
                    final String name = firstWord(line.substring(7));
                    if (!helped.add(name)) {
                        throw new IllegalArgumentException("a second HELP for " + name);
                    }
                } else if (line.startsWith("# TYPE ")) {
                    final String[] parts = line.substring(7).split(" ", -1);
                    if (parts.length != 2 || !NAME.matcher(parts[0]).matches() || !TYPES.contains(parts[1])) {
                        throw new IllegalArgumentException("not \"# TYPE <name> <type>\"");
                    }
                    if (parsed.types.put(parts[0], parts[1]) != null) {
                        throw new IllegalArgumentException("a second TYPE for " + parts[0]);
                    }
                    if (parsed.samples.keySet().stream().anyMatch(series -> familyOf(series, parts[0]))) {
                        throw new IllegalArgumentException("TYPE of " + parts[0] + " after its samples");
                    }
                } else if (line.startsWith("#")) {
                    continue; // a comment
                } else {
                    parsed.sample(line);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + number + " \"" + line + "\": " + e.getMessage(), e);
            }
        }
        return parsed;
    }

    /** @return the value of the series named exactly so (labels sorted by name), or throws when it is absent. */
    double value(String series) {
        final Double value = samples.get(series);
        if (value == null) {
            throw new AssertionError("no series " + series + " in the scrape; series: " + samples.keySet());
        }
        return value;
    }

    private void sample(String line) {
        int at = 0;
        while (at < line.length() && line.charAt(at) != '{' && line.charAt(at) != ' ') {
            at++;
        }
        final String name = line.substring(0, at);
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a metric name: " + name);
        }
        final Map<String, String> labels = new TreeMap<>();
        if (at < line.length() && line.charAt(at) == '{') {
            at = labels(line, at + 1, labels);
        }
        if (at >= line.length() || line.charAt(at) != ' ') {
            throw new IllegalArgumentException("no space before the value");
        }
        final String[] rest = line.substring(at + 1).split(" ", -1);
        if (rest.length > 2) {
            throw new IllegalArgumentException("more than a value and a timestamp");
        }
        final double value = number(rest[0]);
        if (rest.length == 2) {
            Long.parseLong(rest[1]);
        }
        final String family = family(name);
        if (family == null) {
            throw new IllegalArgumentException("a sample of " + name + " before its TYPE");
        }
        final StringBuilder series = new StringBuilder(name);
        if (!labels.isEmpty()) {
            series.append('{');
            labels.forEach((label, text) -> series.append(series.charAt(series.length() - 1) == '{' ? "" : ",")
                    .append(label).append("=\"").append(text).append('"'));
            series.append('}');
        }
        if (samples.put(series.toString(), value) != null) {
            throw new IllegalArgumentException("the series " + series + " twice");
        }
    }

    /** Reads {@code name="value",...}} from {@code at}; @return the index after the closing brace. */
    private static int labels(String line, int at, Map<String, String> labels) {
        while (true) {
            if (at < line.length() && line.charAt(at) == '}') {
                return at + 1;
            }
            final int equals = line.indexOf('=', at);
            if (equals < 0) {
                throw new IllegalArgumentException("a label without '='");
            }
            final String label = line.substring(at, equals);
            if (!LABEL_NAME.matcher(label).matches() || label.startsWith("__")) {
                throw new IllegalArgumentException("not a label name: " + label);
            }
            if (equals + 1 >= line.length() || line.charAt(equals + 1) != '"') {
                throw new IllegalArgumentException("label " + label + " has no quoted value");
            }
            final StringBuilder value = new StringBuilder();
            int i = equals + 2;
            for (; ; i++) {
                if (i >= line.length()) {
                    throw new IllegalArgumentException("label " + label + "'s value is not closed");
                }
                final char c = line.charAt(i);
                if (c == '"') {
                    break;
                }
                if (c == '\\') {
                    final char escaped = i + 1 < line.length() ? line.charAt(++i) : 0;
                    switch (escaped) {
                        case '\\' -> value.append('\\');
                        case '"' -> value.append('"');
                        case 'n' -> value.append('\n');
                        default -> throw new IllegalArgumentException("label " + label + ": a bad escape \\" + escaped);
                    }
                } else {
                    value.append(c);
                }
            }
            if (labels.put(label, value.toString()) != null) {
                throw new IllegalArgumentException("label " + label + " twice");
            }
            at = i + 1;
            if (at < line.length() && line.charAt(at) == ',') {
                at++;
            } else if (at >= line.length() || line.charAt(at) != '}') {
                throw new IllegalArgumentException("labels not separated by ',' or closed by '}'");
            }
        }
    }

    private static double number(String text) {
        switch (text) {
            case "NaN":
                return Double.NaN;
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            default:
                final Matcher matcher = Pattern.compile("[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?").matcher(text);
                if (!matcher.matches()) {
                    throw new IllegalArgumentException("not a float: " + text);
                }
                return Double.parseDouble(text);
        }
    }

    /** @return the family a sample name belongs to, by the TYPE lines read so far, or null. */
    private String family(String sample) {
        if (types.containsKey(sample)) {
            return sample;
        }
        for (String suffix : new String[] {"_count", "_sum", "_bucket"}) {
            if (sample.endsWith(suffix)) {
                final String family = sample.substring(0, sample.length() - suffix.length());
                final String type = types.get(family);
                if ("summary".equals(type) || "histogram".equals(type)) {
                    return family;
                }
            }
        }
        return null;
    }

    private static boolean familyOf(String series, String family) {
        final String name = series.indexOf('{') < 0 ? series : series.substring(0, series.indexOf('{'));
        return name.equals(family) || name.equals(family + "_count") || name.equals(family + "_sum") || name.equals(family + "_bucket");
    }

    private static String firstWord(String text) {
        final int space = text.indexOf(' ');
        final String name = space < 0 ? text : text.substring(0, space);
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a metric name: " + name);
        }
        return name;
    }
}
