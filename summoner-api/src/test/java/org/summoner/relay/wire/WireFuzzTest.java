package org.summoner.relay.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Property-based fuzzing of the framer, the UTF-8 check and the envelope encoder: each property is checked on
 * {@code summoner.fuzz.inputs} generated inputs (a few thousand in the normal build, a million with
 * {@code -Presilience}): byte streams biased towards what breaks framers (newlines, carriage returns, UTF-8
 * fragments, control bytes), cut into random chunks, with random limits. Every case has its own seed, which a
 * failure reports so the case can be replayed.
 */
class WireFuzzTest {
    private static final long INPUTS = Long.getLong("summoner.fuzz.inputs", 5_000);
    private static final ObjectMapper JACKSON = new ObjectMapper();
    /** Room for the longest line {@link #lines} makes: 60 code points of up to 4 bytes. */
    private static final int LONGEST_GENERATED_LINE = 240;

    /** One property, checked on the input its random source generates. */
    private interface Property {
        void check(SplittableRandom random) throws Exception;
    }

    private static void forAll(long seed, Property property) {
        final SplittableRandom seeds = new SplittableRandom(seed);
        for (long i = 0; i < INPUTS; i++) {
            final long caseSeed = seeds.nextLong();
            try {
                property.check(new SplittableRandom(caseSeed));
            } catch (Throwable t) {
                throw new AssertionError("case " + i + " of " + INPUTS + " failed (replay with seed " + caseSeed + "): " + t, t);
            }
        }
    }

    /** Up to 3,000 bytes: many newlines and carriage returns, ASCII, control bytes and every high byte. */
    private static byte[] stream(SplittableRandom random) {
        final byte[] bytes = new byte[random.nextInt(3001)];
        for (int i = 0; i < bytes.length; i++) {
            final int kind = random.nextInt(100);
            bytes[i] = kind < 15 ? (byte) '\n'
                    : kind < 20 ? (byte) '\r'
                    : kind < 70 ? (byte) (0x20 + random.nextInt(0x5F))
                    : kind < 90 ? (byte) (0x80 + random.nextInt(0x80))
                    : (byte) random.nextInt(0x20);
        }
        return bytes;
    }

    /** Lines that must come back exactly: text of any script, no newline, no trailing carriage return. */
    private static List<String> lines(SplittableRandom random) {
        final List<String> lines = new ArrayList<>();
        final int count = random.nextInt(41);
        for (int l = 0; l < count; l++) {
            final StringBuilder line = new StringBuilder();
            final int length = random.nextInt(61);
            for (int c = 0; c < length; c++) {
                final int kind = random.nextInt(5);
                int codePoint = switch (kind) {
                    case 0 -> random.nextInt(0x20); // control characters, \r included
                    case 1 -> 0x20 + random.nextInt(0x5F);
                    case 2 -> 0x80 + random.nextInt(0xD800 - 0x80);
                    case 3 -> 0xE000 + random.nextInt(0x10000 - 0xE000);
                    default -> 0x10000 + random.nextInt(0x110000 - 0x10000);
                };
                if (codePoint == '\n') {
                    codePoint = ' ';
                }
                line.appendCodePoint(codePoint);
            }
            if (line.length() > 0 && line.charAt(line.length() - 1) == '\r') {
                line.append('.');
            }
            lines.add(line.toString());
        }
        return lines;
    }

    @Test
    void the_framer_never_throws_never_holds_more_than_the_limit_and_delivers_only_valid_bounded_lines() {
        forAll(1, random -> {
            final byte[] input = stream(random);
            final int chunk = 1 + random.nextInt(97);
            final int maxLineBytes = 1 + random.nextInt(300);
            final LineFramer framer = new LineFramer(maxLineBytes);
            final List<String> problems = new ArrayList<>();
            final LineHandler handler = new LineHandler() {
                @Override
                public void onLine(byte[] buffer, int offset, int length) {
                    if (length > maxLineBytes) {
                        problems.add("line of " + length + " bytes");
                    }
                    if (!jdkAccepts(buffer, offset, length)) {
                        problems.add("invalid UTF-8 delivered");
                    }
                    for (int i = offset; i < offset + length; i++) {
                        if (buffer[i] == '\n') {
                            problems.add("newline inside a line");
                        }
                    }
                }

                @Override
                public void onLineDropped(ServerNotice reason) {
                    if (reason != ServerNotice.LINE_TOO_LONG && reason != ServerNotice.INVALID_UTF8) {
                        problems.add("unexpected reason " + reason);
                    }
                }
            };
            for (int at = 0; at < input.length; at += chunk) {
                framer.onBytes(input, at, Math.min(chunk, input.length - at), handler);
                if (framer.pendingBytes() > maxLineBytes + 1) {
                    problems.add("holds " + framer.pendingBytes() + " bytes");
                }
            }
            framer.onEndOfStream(handler);
            assertEquals(List.of(), problems, () -> HexFormat.of().formatHex(input));
            assertEquals(0, framer.pendingBytes());
        });
    }

    @Test
    void valid_lines_come_back_exactly_however_the_stream_is_cut() {
        forAll(2, random -> {
            final List<String> lines = lines(random);
            final int chunk = 1 + random.nextInt(50);
            final boolean crlf = random.nextBoolean();
            final byte[] input = (String.join(crlf ? "\r\n" : "\n", lines) + (lines.isEmpty() ? "" : "\n")).getBytes(StandardCharsets.UTF_8);
            final List<String> got = new ArrayList<>();
            final LineFramer framer = new LineFramer(LONGEST_GENERATED_LINE);
            final LineHandler handler = new LineHandler() {
                @Override
                public void onLine(byte[] buffer, int offset, int length) {
                    got.add(new String(buffer, offset, length, StandardCharsets.UTF_8));
                }

                @Override
                public void onLineDropped(ServerNotice reason) {
                    got.add("dropped: " + reason);
                }
            };
            for (int at = 0; at < input.length; at += chunk) {
                framer.onBytes(input, at, Math.min(chunk, input.length - at), handler);
            }
            framer.onEndOfStream(handler);
            assertEquals(lines, got);
        });
    }

    @Test
    void every_envelope_is_one_line_of_json_that_reads_back_to_its_content() {
        forAll(3, random -> {
            final String content = new String(stream(random), StandardCharsets.UTF_8); // invalid sequences become U+FFFD
            final byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
            final String remoteAddr = random.nextBoolean() ? "127.0.0.1:" + random.nextInt(65536) : "[::1]:" + random.nextInt(65536);
            final byte[] prefix = EnvelopeEncoder.prefix(remoteAddr);
            final byte[] out = new byte[EnvelopeEncoder.maxEncodedLength(prefix.length, bytes.length)];
            final int n = EnvelopeEncoder.encode(prefix, bytes, 0, bytes.length, out, 0, Integer.MAX_VALUE);

            for (int i = 0; i < n - 1; i++) {
                assertTrue(out[i] != '\n' && out[i] != '\r', "no raw line break before the end");
            }
            assertEquals('\n', out[n - 1]);
            final JsonNode envelope = JACKSON.readTree(new String(out, 0, n, StandardCharsets.UTF_8));
            assertEquals(2, envelope.size());
            assertEquals(remoteAddr, envelope.get("remote_addr").textValue());
            assertEquals(content, envelope.get("content").textValue());
        });
    }

    @Test
    void the_utf8_check_agrees_with_the_jdk_decoder() {
        forAll(4, random -> {
            final byte[] bytes = stream(random);
            assertEquals(jdkAccepts(bytes, 0, bytes.length), Utf8.isValid(bytes, 0, bytes.length), () -> HexFormat.of().formatHex(bytes));
        });
    }

    private static boolean jdkAccepts(byte[] bytes, int offset, int length) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, offset, length));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
