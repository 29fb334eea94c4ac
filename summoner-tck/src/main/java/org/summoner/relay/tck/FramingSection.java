package org.summoner.relay.tck;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.summoner.relay.RunningServer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kit's tests of SPEC 2: transport and framing; run through {@link RelayEngineCompatibilityKit}. */
public abstract class FramingSection extends KitHarness {
    @Test
    void an_empty_line_is_relayed_with_empty_content() throws IOException {
        final Pair pair = startPair();
        final KitClient a = pair.a();
        final KitClient b = pair.b();

        a.send("\n");

        assertEquals(envelope(a, ""), b.readLine());
    }

    @Test
    void one_carriage_return_before_the_newline_is_stripped() throws IOException {
        final Pair pair = startPair();
        final KitClient a = pair.a();
        final KitClient b = pair.b();

        a.send("windows\r\n\r\nmid\rline\n");

        assertEquals(envelope(a, "windows"), b.readLine());
        assertEquals(envelope(a, ""), b.readLine());
        assertEquals(envelope(a, "mid\\rline"), b.readLine());
    }

    @Test
    void several_lines_in_one_write_are_relayed_in_order() throws IOException {
        final Pair pair = startPair();
        final KitClient a = pair.a();
        final KitClient b = pair.b();

        a.send("one\ntwo\nthree\n");

        assertEquals(envelope(a, "one"), b.readLine());
        assertEquals(envelope(a, "two"), b.readLine());
        assertEquals(envelope(a, "three"), b.readLine());
    }

    @Test
    void a_line_split_across_many_writes_is_relayed_once_and_whole() throws Exception {
        final Pair pair = startPair();
        final KitClient a = pair.a();
        final KitClient b = pair.b();

        final byte[] line = "split é 😀 line\r\n".getBytes(StandardCharsets.UTF_8);
        for (byte value : line) {
            a.send(new byte[]{value});
            Thread.sleep(2);
        }

        assertEquals(envelope(a, "split é 😀 line"), b.readLine());
        b.assertNothingWithin(Duration.ofMillis(200));
    }

    @Test
    void a_final_line_without_newline_is_relayed_when_the_client_closes() throws IOException {
        final RunningServer server = startServer();
        final KitClient a = connect(server);
        final KitClient b = connect(server);
        final KitClient c = connect(server);
        awaitConnections(server, 3);

        a.send("last words");
        a.shutdownOutput();
        c.send("bye");
        c.close();

        final List<String> got = List.of(b.readLine(), b.readLine());
        assertTrue(got.contains(envelope(a, "last words")), got.toString());
        assertTrue(got.contains(envelope(c, "bye")), got.toString());
    }

    @Test
    void a_line_of_exactly_max_line_bytes_is_relayed() throws IOException {
        final Pair pair = startPair(Map.of("max_line_bytes", 1024));
        final KitClient a = pair.a();
        final KitClient b = pair.b();

        final String full = "a".repeat(1024);
        a.send(full + "\n" + full + "\r\n");

        assertEquals(envelope(a, full), b.readLine());
        assertEquals(envelope(a, full), b.readLine());
    }

    @Test
    void an_over_long_line_is_dropped_with_a_warning_and_the_connection_stays_open() throws IOException {
        final Pair pair = startPair(Map.of("max_line_bytes", 1024));
        final RunningServer server = pair.server();
        final KitClient a = pair.a();
        final KitClient b = pair.b();

        a.send("b".repeat(1025) + "\n");
        assertEquals("Warning: Line exceeds max_line_bytes (1024 bytes) and was dropped.", a.readLine());
        a.send("still here\n");

        assertEquals(envelope(a, "still here"), b.readLine(), "the over-long line never reaches anyone");
        awaitStats(server, "one line dropped as too long", stats -> stats.droppedTooLong() == 1);
    }

    @Test
    void a_huge_line_gets_one_warning_and_the_next_line_is_relayed() throws IOException {
        final Pair pair = startPair(Map.of("max_line_bytes", 4096));
        final RunningServer server = pair.server();
        final KitClient a = pair.a();
        final KitClient b = pair.b();

        final byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'z');
        for (int i = 0; i < 160; i++) { // 10 MiB in one line, far past the limit
            a.send(chunk);
        }
        a.send("\nnext\n");

        assertEquals("Warning: Line exceeds max_line_bytes (4096 bytes) and was dropped.", a.readLine());
        assertEquals(envelope(a, "next"), b.readLine());
        a.assertNothingWithin(Duration.ofMillis(200));
        awaitStats(server, "one line dropped as too long", stats -> stats.droppedTooLong() == 1);
    }

    /**
     * A line whose envelope is exactly {@code max_envelope_bytes} (65,536 by default, the longest line the Summoner
     * Python client reads) is relayed, one byte more is not: built of {@code a}, of {@code "} (escaped to two
     * bytes) and of U+0001 (escaped to six), so escaping is what crosses the bound, never the line's own length.
     */
    @ParameterizedTest(name = "made of {0}")
    @ValueSource(strings = {"a", "quote", "u0001"})
    void an_envelope_of_exactly_max_envelope_bytes_is_relayed_and_one_byte_more_is_not(String unit) throws IOException {
        final Pair pair = startPair();
        final RunningServer server = pair.server();
        final KitClient a = pair.a();
        final KitClient b = pair.b();
        final String raw = unit.equals("a") ? "a" : unit.equals("quote") ? "\"" : "\u0001";
        final String escaped = unit.equals("a") ? "a" : unit.equals("quote") ? "\\\"" : "\\u0001";
        final int room = 65_536 - envelope(a, "").length() - 1; // the envelope's own bytes and its \n
        final int units = room / escaped.length();
        final String pad = "a".repeat(room - units * escaped.length());

        a.send(raw.repeat(units) + pad + "\n");
        final String relayed = b.readLine();
        assertEquals(envelope(a, escaped.repeat(units) + pad), relayed);
        assertEquals(65_536, relayed.getBytes(StandardCharsets.UTF_8).length + 1);

        a.send(raw.repeat(units) + pad + "a\n");
        assertEquals("Warning: Line exceeds max_envelope_bytes (65536 bytes) once wrapped and was dropped.", a.readLine());
        a.send("next\n");
        assertEquals(envelope(a, "next"), b.readLine(), "the line over the bound reached no one");
        awaitStats(server, "one line dropped as an envelope too long", stats -> stats.droppedEnvelopeTooLong() == 1
                && stats.linesRelayed() == 2);
    }

    @Test
    void max_envelope_bytes_is_quoted_in_the_warning_and_bounds_every_relayed_line() throws IOException {
        final Pair pair = startPair(Map.of("max_envelope_bytes", 256)); // the smallest allowed: the server's own lines fit it
        final KitClient a = pair.a();
        final KitClient b = pair.b();
        final int room = 256 - envelope(a, "").length() - 1;

        a.send("\u0001".repeat(room / 6 + 1) + "\n");
        assertEquals("Warning: Line exceeds max_envelope_bytes (256 bytes) once wrapped and was dropped.", a.readLine());
        a.send("x".repeat(room) + "\n");
        assertEquals(envelope(a, "x".repeat(room)), b.readLine());
    }

    @ParameterizedTest(name = "bytes {0}")
    @ValueSource(strings = {"ff", "c0af", "eda080", "f4908080", "e282", "41fe42", "80"})
    void a_line_that_is_not_utf8_is_dropped_with_a_warning_and_the_connection_stays_open(String hex) throws IOException {
        final Pair pair = startPair();
        final RunningServer server = pair.server();
        final KitClient a = pair.a();
        final KitClient b = pair.b();

        final byte[] invalid = HexFormat.of().parseHex(hex);
        final byte[] line = Arrays.copyOf(invalid, invalid.length + 1);
        line[invalid.length] = '\n';
        a.send(line);
        assertEquals("Warning: Line is not valid UTF-8 and was dropped.", a.readLine());
        a.send("valid\n");

        assertEquals(envelope(a, "valid"), b.readLine());
        awaitStats(server, "one line dropped as invalid UTF-8", stats -> stats.droppedInvalidUtf8() == 1);
    }
}
