package org.summoner.relay.identity;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Strict JSON and Python's canonical form, beyond the vectors: number forms, strictness, and idempotence. */
class JsonTest {
    private static String canonical(String json) throws Json.NotJson {
        final byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return new String(Json.canonical(Json.parse(bytes, 0, bytes.length)), StandardCharsets.US_ASCII);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0.1 | 0.1", "1e-7 | 1e-07", "1E16 | 1e+16", "1e22 | 1e+22", "2.5 | 2.5", "100000.0 | 100000.0", "-0.0 | -0.0",
            "0.0001 | 0.0001", "0.00001 | 1e-05", "1000000000000000.0 | 1000000000000000.0", "0.30000000000000004 | 0.30000000000000004",
            "9007199254740992.0 | 9007199254740992.0", "1.7976931348623157e308 | 1.7976931348623157e+308", "5e-324 | 5e-324",
            "2.2250738585072014e-308 | 2.2250738585072014e-308", "1.00000000000000006E-01 | 0.1", "123456789012345678.0 | 1.2345678901234568e+17",
            "1.5e16 | 1.5e+16", "-2.5E-5 | -2.5e-05", "12345678901234567890 | 12345678901234567890", "-0 | 0", "100000 | 100000",
            "-123456789012345678901234567890 | -123456789012345678901234567890"})
    void numbers_are_written_as_python_writes_them(String token, String python) throws Exception {
        assertEquals(python, canonical(token));
    }

    @Test
    void keys_sort_by_code_point_and_strings_escape_as_ensure_ascii() throws Exception {
        assertEquals("{\"\":1,\"B\":2,\"a\":3,\"\\u00e9\":4,\"\\ue000\":5,\"\\uff5a\":6,\"\\ud83c\\udfb2\":7}",
                canonical("{\"\\ud83c\\udfb2\":7,\"\uff5a\":6,\"\ue000\":5,\"é\":4,\"a\":3,\"B\":2,\"\":1}"));
        assertEquals("[\"a/b \\\"q\\\" \\\\ \\n\\r\\t\\b\\f \\u0000\\u001f \\u007f \\u2028 \\ud800\"]",
                canonical("[\"a\\/b \\\"q\\\" \\\\ \\n\\r\\t\\b\\f \\u0000\\u001F \u007f \u2028 \\uD800\"]"));
        assertEquals("{\"a\":[true,false,null,{},[]]}", canonical(" { \"a\" : [ true , false , null , { } , [ ] ] } "));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":1,\"a\":2}", "NaN", "[Infinity]", "[-Infinity]", "\ufeff{}", "{} x", "[1,]", "{'a':1}",
            "[\"tab\there\"]", "{\"\\ud800\":1}", "[01]", "[+1]", "[.5]", "[1.]", "", "   ", "[1e400]", "{\"a\"}", "nul"})
    void what_python_might_read_but_json_is_not_is_refused(String text) {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        assertThrows(Json.NotJson.class, () -> Json.parse(bytes, 0, bytes.length));
    }

    /** Canonical JSON read back and written again is the same bytes, for random values of every kind. */
    @Test
    void the_canonical_form_is_a_fixed_point() throws Exception {
        final SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 5_000; i++) {
            final Object value = randomValue(random, 0);
            final byte[] once = Json.canonical(value);
            final byte[] twice = Json.canonical(Json.parse(once, 0, once.length));
            assertArrayEquals(once, twice, () -> new String(once, StandardCharsets.US_ASCII));
        }
    }

    private static Object randomValue(SplittableRandom random, int depth) {
        switch (depth > 3 ? random.nextInt(5) : random.nextInt(7)) {
            case 0 -> {
                return Json.NULL;
            }
            case 1 -> {
                return random.nextBoolean();
            }
            case 2 -> {
                return new Json.Num(Long.toString(random.nextLong()) + (random.nextBoolean() ? "" : "0000000000"), false);
            }
            case 3 -> {
                final double d = random.nextBoolean() ? Double.longBitsToDouble(random.nextLong()) : random.nextDouble() * Math.pow(10, random.nextInt(-30, 30));
                return Double.isFinite(d) ? new Json.Num(Double.toString(d), true) : new Json.Num("1.5", true);
            }
            case 4 -> {
                final StringBuilder text = new StringBuilder();
                for (int c = random.nextInt(8); c > 0; c--) {
                    text.append((char) random.nextInt(0x10000));
                }
                return text.toString();
            }
            case 5 -> {
                final List<Object> list = new ArrayList<>();
                for (int c = random.nextInt(4); c > 0; c--) {
                    list.add(randomValue(random, depth + 1));
                }
                return list;
            }
            default -> {
                final Map<String, Object> map = new LinkedHashMap<>();
                for (int c = random.nextInt(4); c > 0; c--) {
                    // Keys avoid unpaired surrogates, which the parser refuses in a key (not in a value).
                    map.put(Integer.toString(random.nextInt(1000), 36) + (char) random.nextInt(0xD800), randomValue(random, depth + 1));
                }
                return map;
            }
        }
    }

    @Test
    void compact_keeps_the_key_order_and_writes_values_as_canonical_does() throws Exception {
        final byte[] text = "{\"z\": 1, \"a\": [true, null, 1.50, \"\u00e9\\n\"], \"m\": {\"y\": {}, \"b\": []}}".getBytes(StandardCharsets.UTF_8);
        final Object parsed = Json.parse(text, 0, text.length);
        assertEquals("{\"z\":1,\"a\":[true,null,1.5,\"\\u00e9\\n\"],\"m\":{\"y\":{},\"b\":[]}}",
                new String(Json.compact(parsed), StandardCharsets.US_ASCII));
        assertEquals("{\"a\":[true,null,1.5,\"\\u00e9\\n\"],\"m\":{\"b\":[],\"y\":{}},\"z\":1}",
                new String(Json.canonical(parsed), StandardCharsets.US_ASCII));
    }
}
