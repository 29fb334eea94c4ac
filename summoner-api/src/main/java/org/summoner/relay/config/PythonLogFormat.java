package org.summoner.relay.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A Python {@code logging} format, as {@code logger.console_log_format} and {@code logger.log_format} write it
 * ({@code %(asctime)s - %(name)s - %(levelname)s - %(message)s}), read into literal text and fields. Text between
 * fields is kept as it is, ANSI colour codes included. A field may carry Python's left-align flag and a width
 * ({@code %(levelname)-8s}); a field the relay cannot fill is refused with its name.
 */
public final class PythonLogFormat {
    /** The record attributes the relay fills, in the order they are listed in errors. */
    public static final Set<String> FIELDS = Set.of("asctime", "created", "msecs", "name", "levelname", "levelno",
            "message", "process", "threadName");
    private static final List<String> FIELD_ORDER = List.of("asctime", "created", "msecs", "name", "levelname", "levelno",
            "message", "process", "threadName");

    /** One piece of a format: literal text (field null), or a field with its padding. */
    public record Part(String text, String field, boolean leftAlign, int width) {
        static Part literal(String text) {
            return new Part(text, null, false, 0);
        }

        public boolean isField() {
            return field != null;
        }
    }

    private PythonLogFormat() {
    }

    /** @return the fields the relay fills, as a user writes them. */
    public static String supported() {
        final StringBuilder list = new StringBuilder();
        for (String field : FIELD_ORDER) {
            list.append(list.length() == 0 ? "" : " ").append("%(").append(field).append(")s");
        }
        return list.toString();
    }

    /**
     * @return the format's pieces, in order.
     * @throws IllegalArgumentException naming the first field or conversion that cannot be used.
     */
    public static List<Part> parse(String format) {
        final List<Part> parts = new ArrayList<>();
        final StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < format.length()) {
            final char c = format.charAt(i);
            if (c != '%') {
                literal.append(c);
                i++;
                continue;
            }
            if (format.startsWith("%%", i)) {
                literal.append('%');
                i += 2;
                continue;
            }
            if (!format.startsWith("%(", i)) {
                throw new IllegalArgumentException("'%' must start %(name)s or be written %%");
            }
            final int close = format.indexOf(')', i);
            if (close < 0) {
                throw new IllegalArgumentException("%( is not closed");
            }
            final String field = format.substring(i + 2, close);
            int j = close + 1;
            final boolean leftAlign = j < format.length() && format.charAt(j) == '-';
            if (leftAlign) {
                j++;
            }
            int width = 0;
            while (j < format.length() && Character.isDigit(format.charAt(j))) {
                width = width * 10 + (format.charAt(j) - '0');
                j++;
            }
            if (j >= format.length() || "sdf".indexOf(format.charAt(j)) < 0) {
                throw new IllegalArgumentException("%(" + field + ") needs a conversion: s, d or f");
            }
            if (!FIELDS.contains(field)) {
                throw new IllegalArgumentException("%(" + field + ")" + format.charAt(j) + " is not supported");
            }
            if (literal.length() > 0) {
                parts.add(Part.literal(literal.toString()));
                literal.setLength(0);
            }
            parts.add(new Part(null, field, leftAlign, width));
            i = j + 1;
        }
        if (literal.length() > 0) {
            parts.add(Part.literal(literal.toString()));
        }
        return List.copyOf(parts);
    }
}
