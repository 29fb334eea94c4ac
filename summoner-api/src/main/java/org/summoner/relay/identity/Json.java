package org.summoner.relay.identity;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Strict JSON in, canonical JSON out, as the Aurora identity library signs it (SPEC section 8): the canonical form
 * of a value is Python's {@code json.dumps(value, sort_keys=True, separators=(",", ":"))} of the <em>parsed</em>
 * value, so any spelling of the same value (key order, spaces, escapes, {@code 1.00000000000000006E-01}) gives the
 * same bytes.
 *
 * <p>Parsed values are plain Java objects: {@link Map} (insertion order, {@link LinkedHashMap}), {@link List},
 * {@link String} (UTF-16, unpaired surrogates kept as they were escaped), {@link Boolean}, {@link #NULL}, and
 * {@link Number} tokens kept as their text ({@link Num}): an integer of any size stays exact and an integer stays
 * apart from a float ({@code 1} is not {@code 1.0}).
 *
 * <p>Strict where Python is lenient: a duplicate key, {@code NaN}, {@code Infinity}, a number too large for a double,
 * a leading byte order mark, trailing data or a raw control character in a string is not JSON.
 *
 * <p>Stateless and thread-safe.
 */
public final class Json {
    /** JSON {@code null} as a parsed value (a Java {@code null} means "absent"). */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    /** A JSON number token, kept as written; {@code isFloat} when it has {@code .}, {@code e} or {@code E}. */
    public record Num(String text, boolean isFloat) {
    }

    /** The line is not JSON, for the reason in the message. */
    public static final class NotJson extends Exception {
        private static final long serialVersionUID = 1L;

        NotJson(String message) {
            super(message, null, false, false);
        }
    }

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final int MAX_DEPTH = 100;

    private Json() {
    }

    /** Parses one JSON text (valid UTF-8) that must hold exactly one value. */
    public static Object parse(byte[] bytes, int offset, int length) throws NotJson {
        if (length >= 3 && bytes[offset] == (byte) 0xEF && bytes[offset + 1] == (byte) 0xBB && bytes[offset + 2] == (byte) 0xBF) {
            throw new NotJson("a byte order mark before the value");
        }
        try (JsonParser parser = FACTORY.createParser(bytes, offset, length)) {
            final JsonToken first = parser.nextToken();
            if (first == null) {
                throw new NotJson("no value");
            }
            final Object value = read(parser, first, 0);
            if (parser.nextToken() != null) {
                throw new NotJson("data after the value");
            }
            return value;
        } catch (IOException e) {
            throw new NotJson(e.getMessage());
        }
    }

    private static Object read(JsonParser parser, JsonToken token, int depth) throws IOException, NotJson {
        if (depth > MAX_DEPTH) {
            throw new NotJson("nested deeper than " + MAX_DEPTH);
        }
        switch (token) {
            case START_OBJECT -> {
                final Map<String, Object> object = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    final String name = parser.currentName();
                    object.put(name, read(parser, parser.nextToken(), depth + 1));
                }
                return object;
            }
            case START_ARRAY -> {
                final List<Object> array = new ArrayList<>();
                JsonToken next;
                while ((next = parser.nextToken()) != JsonToken.END_ARRAY) {
                    array.add(read(parser, next, depth + 1));
                }
                return array;
            }
            case VALUE_STRING -> {
                return parser.getText();
            }
            case VALUE_NUMBER_INT -> {
                return new Num(parser.getText(), false);
            }
            case VALUE_NUMBER_FLOAT -> {
                final String text = parser.getText();
                if (Double.isInfinite(Double.parseDouble(text))) {
                    throw new NotJson("a number too large for a double: " + text);
                }
                return new Num(text, true);
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return NULL;
            }
            default -> throw new NotJson("unexpected " + token);
        }
    }

    /**
     * @return a plain Java value as a JSON value of this class: maps (string keys) and lists recursively, strings,
     *         booleans, integral numbers as integers, other numbers as floats, null as {@link #NULL}.
     */
    public static Object of(Object value) {
        if (value == null || value == NULL) {
            return NULL;
        }
        if (value instanceof String || value instanceof Boolean || value instanceof Num) {
            return value;
        }
        if (value instanceof Double || value instanceof Float) {
            return new Num(Double.toString(((Number) value).doubleValue()), true);
        }
        if (value instanceof Number number) {
            return new Num(number instanceof BigDecimal d ? d.toPlainString() : number.toString(), number instanceof BigDecimal);
        }
        if (value instanceof Map<?, ?> map) {
            final Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((key, item) -> copy.put((String) key, of(item)));
            return copy;
        }
        if (value instanceof List<?> list) {
            final List<Object> copy = new ArrayList<>(list.size());
            for (Object item : list) {
                copy.add(of(item));
            }
            return copy;
        }
        throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
    }

    /** @return the canonical JSON of a parsed value, as UTF-8 (all ASCII). */
    public static byte[] canonical(Object value) {
        return ascii(value, true);
    }

    /**
     * @return a parsed value as compact JSON (Python's {@code json.dumps(value, separators=(",", ":"))}): keys in the
     *         order they came, strings and numbers as {@link #canonical} writes them; UTF-8, all ASCII.
     */
    public static byte[] compact(Object value) {
        return ascii(value, false);
    }

    private static byte[] ascii(Object value, boolean sortKeys) {
        final StringBuilder out = new StringBuilder(256);
        write(value, out, sortKeys);
        final byte[] bytes = new byte[out.length()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) out.charAt(i);
        }
        return bytes;
    }

    @SuppressWarnings("unchecked")
    private static void write(Object value, StringBuilder out, boolean sortKeys) {
        if (value == NULL) {
            out.append("null");
        } else if (value instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (value instanceof String s) {
            quote(s, out);
        } else if (value instanceof Num n) {
            out.append(n.isFloat() ? pythonFloat(Double.parseDouble(n.text())) : new BigInteger(n.text()).toString());
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(list.get(i), out, sortKeys);
            }
            out.append(']');
        } else if (value instanceof Map<?, ?> map) {
            final String[] keys = ((Map<String, Object>) map).keySet().toArray(new String[0]);
            if (sortKeys) {
                Arrays.sort(keys, Json::compareCodePoints);
            }
            out.append('{');
            for (int i = 0; i < keys.length; i++) {
                if (i > 0) {
                    out.append(',');
                }
                quote(keys[i], out);
                out.append(':');
                write(map.get(keys[i]), out, sortKeys);
            }
            out.append('}');
        } else {
            throw new IllegalArgumentException("not a parsed JSON value: " + value);
        }
    }

    /** Python's key order: by code point, not by UTF-16 unit (so U+1F3B2 sorts after U+FF5A). */
    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            final int ca = a.codePointAt(i);
            final int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** Python's {@code ensure_ascii} string: short escapes, {@code \}{@code u00xx} below U+0020 and from U+007F. */
    private static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c >= 0x7F) {
                        out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xF]).append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /**
     * Python's {@code repr} of a float: the shortest digits that read back as the same double (the closest of them
     * when two are that short), positional from 1e-4 up to 1e16, else mantissa and a signed exponent of at least two
     * digits ({@code 1e-05}, {@code 1e+16}).
     */
    static String pythonFloat(double value) {
        if (value == 0) {
            return 1 / value < 0 ? "-0.0" : "0.0";
        }
        final StringBuilder out = new StringBuilder(32);
        if (value < 0) {
            out.append('-');
        }
        final BigDecimal exact = new BigDecimal(Math.abs(value));
        final BigDecimal shortest = shortest(exact, Math.abs(value));
        final String digits = shortest.unscaledValue().toString().replaceAll("0+$", "");
        final int decimalPoint = shortest.precision() - shortest.scale(); // value = 0.digits x 10^decimalPoint
        if (decimalPoint > -4 && decimalPoint <= 16) {
            if (decimalPoint <= 0) {
                out.append("0.").append("0".repeat(-decimalPoint)).append(digits);
            } else if (decimalPoint >= digits.length()) {
                out.append(digits).append("0".repeat(decimalPoint - digits.length())).append(".0");
            } else {
                out.append(digits, 0, decimalPoint).append('.').append(digits, decimalPoint, digits.length());
            }
        } else {
            out.append(digits.charAt(0));
            if (digits.length() > 1) {
                out.append('.').append(digits, 1, digits.length());
            }
            final int exponent = decimalPoint - 1;
            out.append('e').append(exponent < 0 ? '-' : '+');
            final int magnitude = Math.abs(exponent);
            if (magnitude < 10) {
                out.append('0');
            }
            out.append(magnitude);
        }
        return out.toString();
    }

    private static BigDecimal shortest(BigDecimal exact, double value) {
        for (int precision = 1; precision <= 17; precision++) {
            final BigDecimal down = exact.round(new MathContext(precision, RoundingMode.DOWN));
            final BigDecimal up = exact.round(new MathContext(precision, RoundingMode.UP));
            final boolean downReads = down.doubleValue() == value;
            final boolean upReads = up.doubleValue() == value;
            if (downReads && upReads) {
                final int order = exact.subtract(down).compareTo(up.subtract(exact));
                return order < 0 ? down : order > 0 ? up : down.unscaledValue().testBit(0) ? up : down;
            }
            if (downReads) {
                return down;
            }
            if (upReads) {
                return up;
            }
        }
        return exact.round(new MathContext(17, RoundingMode.HALF_EVEN));
    }
}
