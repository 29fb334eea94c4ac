package org.summoner.relay.wire;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NoticeLinesTest {
    private static String recipient(String name) {
        return new String(NoticeLines.recipientNotConnected(name), StandardCharsets.UTF_8);
    }

    @Test
    void a_missing_recipient_is_quoted_as_written_on_one_readable_line() {
        assertEquals("Warning: Recipient not connected: 127.0.0.1:54321.\n", recipient("127.0.0.1:54321"));
        assertEquals("Warning: Recipient not connected: fp:AAAAAAAAAAAAAAAAAAAAAA.\n", recipient("fp:AAAAAAAAAAAAAAAAAAAAAA"));
        assertEquals("Warning: Recipient not connected: a\uFFFDb\uFFFDc\uFFFD.\n", recipient("a\nb\rc\u007F"));
        assertEquals("Warning: Recipient not connected: \uD83C\uDFB2 \uFFFD \uFFFD.\n", recipient("\uD83C\uDFB2 \uD83C \uDFB2"),
                "a pair is kept, a lone surrogate replaced");
    }

    @Test
    void a_long_name_is_cut_so_the_line_stays_short() {
        final String shown = recipient("x".repeat(100_000));
        assertEquals("Warning: Recipient not connected: " + "x".repeat(NoticeLines.MAX_QUOTED_NAME) + "....\n", shown);
        assertEquals("Warning: Recipient not connected: " + "y".repeat(NoticeLines.MAX_QUOTED_NAME) + ".\n",
                recipient("y".repeat(NoticeLines.MAX_QUOTED_NAME)), "exactly the limit is not cut");
    }

    @Test
    void the_handshake_timeout_quotes_its_seconds_and_the_quoted_notices_are_not_prebuilt() {
        final NoticeLines lines = new NoticeLines(65536, 65536, 7);
        assertEquals("Warning: Handshake not completed within 7 seconds; disconnecting.\n",
                new String(lines.line(ServerNotice.HANDSHAKE_TIMEOUT), StandardCharsets.UTF_8));
        assertEquals("Warning: No host is connected; the line was not relayed.\n", new String(lines.line(ServerNotice.NO_HOST), StandardCharsets.UTF_8));
        assertEquals("Warning: Handshake required; the line was not relayed.\n",
                new String(lines.line(ServerNotice.HANDSHAKE_REQUIRED), StandardCharsets.UTF_8));
        assertThrows(IllegalArgumentException.class, () -> lines.line(ServerNotice.RECIPIENT_NOT_CONNECTED));
        assertThrows(IllegalArgumentException.class, () -> lines.line(ServerNotice.SERVER_FULL));
        assertEquals("Warning: Your address is not allowed on this server; disconnecting.\n", // a reload's refusal of an open connection
                new String(lines.line(ServerNotice.NOT_ALLOWED), StandardCharsets.UTF_8));
    }

    @Test
    void every_line_of_the_servers_own_fits_the_smallest_max_envelope_bytes() {
        final int smallest = NoticeLines.MIN_ENVELOPE_BYTES;
        for (ServerNotice notice : ServerNotice.values()) {
            final Object quoted = switch (notice) {
                case REJECTED -> "bad_identity_signature"; // the longest code
                case RECIPIENT_NOT_CONNECTED -> "x";
                default -> Integer.MAX_VALUE; // larger than any number a notice quotes
            };
            final int length = notice.toBytes(quoted).length;
            assertTrue(length <= smallest, notice + " is " + length + " bytes");
        }
        assertTrue(("{\"handshake\":\"challenge\",\"nonce\":\"" + "A".repeat(43) + "\"}\n").length() <= smallest);
        for (String name : new String[]{"x".repeat(10_000), "\u00e9".repeat(256), "\uD83C\uDFB2".repeat(200)}) {
            final byte[] line = NoticeLines.recipientNotConnected(name, smallest);
            assertTrue(line.length <= smallest, line.length + " bytes");
            assertTrue(new String(line, StandardCharsets.UTF_8).endsWith("....\n"), "cut, and says so");
        }
    }
}
