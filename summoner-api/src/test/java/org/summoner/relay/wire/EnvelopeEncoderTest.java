package org.summoner.relay.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EnvelopeEncoderTest {
    private static final ObjectMapper JACKSON = new ObjectMapper();
    private static final Pattern UNICODE_ESCAPE = Pattern.compile("\\\\u00([0-9A-F]{2})");

    private static String encode(String remoteAddr, String content) {
        final byte[] prefix = EnvelopeEncoder.prefix(remoteAddr);
        final byte[] src = content.getBytes(StandardCharsets.UTF_8);
        final byte[] dst = new byte[EnvelopeEncoder.maxEncodedLength(prefix.length, src.length) + 3];
        dst[0] = 'X'; // the encoder writes from the offset it is given, and nothing before it
        final int written = EnvelopeEncoder.encode(prefix, src, 0, src.length, dst, 1, Integer.MAX_VALUE);
        assertEquals('X', dst[0]);
        return new String(dst, 1, written, StandardCharsets.UTF_8);
    }

    @Test
    void the_envelope_is_compact_json_with_remote_addr_first_and_a_newline() {
        assertEquals("{\"remote_addr\":\"127.0.0.1:54321\",\"content\":\"hello\"}\n", encode("127.0.0.1:54321", "hello"));
    }

    @Test
    void empty_content_is_an_empty_string() {
        assertEquals("{\"remote_addr\":\"[::1]:1\",\"content\":\"\"}\n", encode("[::1]:1", ""));
    }

    @Test
    void json_content_is_carried_as_an_escaped_string() {
        assertEquals("{\"remote_addr\":\"1.2.3.4:5\",\"content\":\"{\\\"type\\\":\\\"hi\\\",\\\"n\\\":[1,2]}\"}\n",
                encode("1.2.3.4:5", "{\"type\":\"hi\",\"n\":[1,2]}"));
    }

    @Test
    void quotes_backslashes_and_control_characters_are_escaped_like_serde_json() {
        assertEquals("{\"remote_addr\":\"a:1\",\"content\":\"q\\\" b\\\\ \\b\\t\\n\\f\\r \\u0000\\u0001\\u001f \u007f /\"}\n",
                encode("a:1", "q\" b\\ \b\t\n\f\r \u0000\u0001\u001f \u007f /"));
    }

    @Test
    void non_ascii_text_is_written_as_utf8_bytes() {
        assertEquals("{\"remote_addr\":\"a:1\",\"content\":\"héllo \u2028 世界 😀\"}\n", encode("a:1", "héllo \u2028 世界 😀"));
    }

    @Test
    void the_longest_escape_fits_the_bound() {
        final String controls = "\u0001".repeat(1000);
        final byte[] prefix = EnvelopeEncoder.prefix("a:1");
        final byte[] src = controls.getBytes(StandardCharsets.UTF_8);
        final byte[] dst = new byte[EnvelopeEncoder.maxEncodedLength(prefix.length, src.length)];
        assertEquals(dst.length, EnvelopeEncoder.encode(prefix, src, 0, src.length, dst, 0, Integer.MAX_VALUE));
    }

    /** The envelope of {@code content} from {@code 127.0.0.1:54321} under a limit, as text, or null when too long. */
    private static String encodeUnder(int maxBytes, String content) {
        final byte[] prefix = EnvelopeEncoder.prefix("127.0.0.1:54321");
        final byte[] src = content.getBytes(StandardCharsets.UTF_8);
        final byte[] dst = new byte[EnvelopeEncoder.requiredRoom(prefix.length, src.length, maxBytes) + 1];
        dst[dst.length - 1] = 'X';
        final int written = EnvelopeEncoder.encode(prefix, src, 0, src.length, dst, 0, maxBytes);
        assertEquals('X', dst[dst.length - 1], "nothing is written past the room asked for");
        return written == EnvelopeEncoder.TOO_LONG ? null : new String(dst, 0, written, StandardCharsets.UTF_8);
    }

    @Test
    void an_envelope_of_exactly_max_envelope_bytes_is_written_and_one_byte_more_is_too_long() {
        final int overhead = "{\"remote_addr\":\"127.0.0.1:54321\",\"content\":\"\"}\n".length(); // 47
        // a: 1 byte escaped; ": 2 bytes; \u0001: 6 bytes. Each line's envelope is exactly 65,536 bytes.
        for (String unit : new String[]{"a", "\"", "\u0001"}) {
            final int escaped = unit.equals("a") ? 1 : unit.equals("\"") ? 2 : 6;
            final int room = 65_536 - overhead;
            final String fits = unit.repeat(room / escaped) + "a".repeat(room % escaped);
            final String over = fits + "a";
            final String envelope = encodeUnder(65_536, fits);
            assertEquals(65_536, envelope.getBytes(StandardCharsets.UTF_8).length, unit);
            assertTrue(envelope.endsWith("\"}\n"));
            assertEquals(null, encodeUnder(65_536, over), unit);
        }
    }

    @Test
    void a_line_over_the_limit_unescaped_is_refused_before_any_escaping() {
        assertEquals(null, encodeUnder(100, "a".repeat(54)));
        assertEquals(100, encodeUnder(100, "a".repeat(53)).length());
    }

    @Test
    void under_any_limit_the_envelope_is_the_unbounded_one_or_too_long() {
        final SplittableRandom random = new SplittableRandom(11);
        for (int round = 0; round < 20_000; round++) {
            final String content = randomText(random);
            final String unbounded = encode("127.0.0.1:54321", content);
            final int length = unbounded.getBytes(StandardCharsets.UTF_8).length;
            final int limit = Math.max(1, length + random.nextInt(-8, 9));
            final String bounded = encodeUnder(limit, content);
            if (length <= limit) {
                assertEquals(unbounded, bounded);
            } else {
                assertEquals(null, bounded, "limit " + limit + ", envelope " + length);
            }
        }
    }

    /**
     * Jackson is the oracle: on random strings full of control characters, surrogate pairs and non-BMP text, our
     * bytes equal Jackson's (whose only difference, upper-case hex in escapes, is normalised), and Jackson reads
     * back exactly the string we were given.
     */
    @Test
    void agrees_with_jackson_on_random_strings() throws Exception {
        final SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 50_000; round++) {
            final String content = randomText(random);
            final String remoteAddr = random.nextBoolean() ? "127.0.0.1:" + random.nextInt(65536) : "[::1]:" + random.nextInt(65536);
            final String ours = encode(remoteAddr, content);

            final Map<String, String> envelope = new LinkedHashMap<>();
            envelope.put("remote_addr", remoteAddr);
            envelope.put("content", content);
            assertEquals(lowerCaseHexEscapes(JACKSON.writeValueAsString(envelope)) + "\n", ours);

            final JsonNode parsed = JACKSON.readTree(ours);
            assertEquals(content, parsed.get("content").textValue());
            assertEquals(remoteAddr, parsed.get("remote_addr").textValue());
            assertTrue(ours.indexOf('\n') == ours.length() - 1, "exactly one newline, at the end");
        }
    }

    private static String randomText(SplittableRandom random) {
        final StringBuilder text = new StringBuilder();
        final int length = random.nextInt(40);
        for (int i = 0; i < length; i++) {
            switch (random.nextInt(6)) {
                case 0 -> text.append((char) random.nextInt(0x20)); // every control character
                case 1 -> text.append("\"\\/\u007f".charAt(random.nextInt(4)));
                case 2 -> text.append((char) (0x20 + random.nextInt(0x5F)));
                case 3 -> text.appendCodePoint(0x80 + random.nextInt(0xD800 - 0x80));
                case 4 -> text.appendCodePoint(0x10000 + random.nextInt(0x110000 - 0x10000)); // a surrogate pair in Java
                default -> text.appendCodePoint(0xE000 + random.nextInt(0x10000 - 0xE000));
            }
        }
        return text.toString();
    }

    private static String lowerCaseHexEscapes(String json) {
        final Matcher matcher = UNICODE_ESCAPE.matcher(json);
        final StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(out, Matcher.quoteReplacement("\\u00" + matcher.group(1).toLowerCase()));
        }
        matcher.appendTail(out);
        return out.toString();
    }
}
