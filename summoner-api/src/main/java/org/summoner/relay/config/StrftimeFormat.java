package org.summoner.relay.config;

import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code logger.date_format} of a Summoner config, a Python {@code strftime} pattern, as a {@code java.time}
 * formatter. Summoner's own {@code %3f} (milliseconds) and {@code %6f} (microseconds) are supported next to the
 * directives a user is likely to write; anything else is refused with its name, never printed literally.
 */
public final class StrftimeFormat {
    /** strftime directive (without {@code %}) to {@link DateTimeFormatter} pattern letters, in the order listed. */
    private static final Map<String, String> DIRECTIVES = new LinkedHashMap<>();

    static {
        DIRECTIVES.put("Y", "uuuu");
        DIRECTIVES.put("y", "uu");
        DIRECTIVES.put("m", "MM");
        DIRECTIVES.put("d", "dd");
        DIRECTIVES.put("H", "HH");
        DIRECTIVES.put("I", "hh");
        DIRECTIVES.put("M", "mm");
        DIRECTIVES.put("S", "ss");
        DIRECTIVES.put("f", "SSSSSS");
        DIRECTIVES.put("3f", "SSS");
        DIRECTIVES.put("6f", "SSSSSS");
        DIRECTIVES.put("p", "a");
        DIRECTIVES.put("z", "xx");
        DIRECTIVES.put("Z", "zzz");
        DIRECTIVES.put("a", "EEE");
        DIRECTIVES.put("A", "EEEE");
        DIRECTIVES.put("b", "MMM");
        DIRECTIVES.put("B", "MMMM");
        DIRECTIVES.put("j", "DDD");
    }

    private StrftimeFormat() {
    }

    /** @return the directives understood, as a user writes them: {@code %Y %y ... %%}. */
    public static String supported() {
        final StringBuilder list = new StringBuilder();
        for (String directive : DIRECTIVES.keySet()) {
            list.append('%').append(directive).append(' ');
        }
        return list.append("%%").toString();
    }

    /**
     * @return a formatter (English names, as Python's C locale writes them) for {@code strftime}.
     * @throws IllegalArgumentException naming the first directive that is not supported.
     */
    public static DateTimeFormatter formatter(String strftime) {
        return DateTimeFormatter.ofPattern(pattern(strftime), Locale.US);
    }

    /** @return the {@link DateTimeFormatter} pattern for {@code strftime}: directives translated, the rest quoted. */
    static String pattern(String strftime) {
        final StringBuilder pattern = new StringBuilder();
        final StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < strftime.length()) {
            final char c = strftime.charAt(i);
            if (c != '%') {
                literal.append(c);
                i++;
                continue;
            }
            if (i + 1 >= strftime.length()) {
                throw new IllegalArgumentException("a lone % at the end is not a directive");
            }
            final String two = i + 2 < strftime.length() ? strftime.substring(i + 1, i + 3) : "";
            final String directive = DIRECTIVES.containsKey(two) ? two : strftime.substring(i + 1, i + 2);
            if (directive.equals("%")) {
                literal.append('%');
            } else if (DIRECTIVES.containsKey(directive)) {
                appendLiteral(pattern, literal);
                pattern.append(DIRECTIVES.get(directive));
            } else {
                throw new IllegalArgumentException("%" + directive + " is not supported");
            }
            i += 1 + directive.length();
        }
        appendLiteral(pattern, literal);
        return pattern.toString();
    }

    private static void appendLiteral(StringBuilder pattern, StringBuilder literal) {
        if (literal.length() > 0) {
            pattern.append('\'').append(literal.toString().replace("'", "''")).append('\'');
            literal.setLength(0);
        }
    }
}
