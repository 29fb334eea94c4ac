package org.summoner.relay.wire;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class UntrustedTest {
    @Test
    void plain_text_is_returned_as_it_is() {
        final String text = "127.0.0.1:5000 said h\u00e9llo \uD83D\uDE00";
        assertSame(text, Untrusted.text(text));
    }

    @Test
    void a_forged_log_line_stays_on_the_line_it_is_logged_in() {
        assertEquals("evil\\n2026-12-07 00:00:00.000 - srv - CRITICAL - pwned\\r",
                Untrusted.text("evil\n2026-12-07 00:00:00.000 - srv - CRITICAL - pwned\r"));
    }

    @Test
    void controls_separators_and_bidi_overrides_are_escaped_and_backslashes_doubled() {
        assertEquals("a\\tb\\u0000\\u001b[31m\\u007f\\u0085\\u2028\\u2029\\u202e\\u2066\\\\n",
                Untrusted.text("a\tb\u0000\u001b[31m\u007f\u0085\u2028\u2029\u202e\u2066\\n"));
    }

    @Test
    void long_text_is_cut_with_a_count_of_what_was_left_out() {
        assertEquals("x".repeat(Untrusted.MAX_CHARS) + "...(10 more chars)", Untrusted.text("x".repeat(Untrusted.MAX_CHARS + 10)));
    }

    @Test
    void bytes_are_read_as_utf8_and_null_is_named() {
        final byte[] bytes = "ok\nno".getBytes(StandardCharsets.UTF_8);
        assertEquals("ok\\nno", Untrusted.text(bytes, 0, bytes.length));
        assertEquals("null", Untrusted.text(null));
    }

    @Test
    void a_throwable_keeps_its_frames_and_causes_with_every_message_escaped() {
        final IllegalStateException cause = new IllegalStateException("inner\nforged");
        final RuntimeException error = new RuntimeException("outer\r\nforged", cause);
        final Throwable safe = Untrusted.throwable(error);
        assertEquals("java.lang.RuntimeException: outer\\r\\nforged", safe.toString());
        assertEquals("java.lang.IllegalStateException: inner\\nforged", safe.getCause().toString());
        assertEquals(error.getStackTrace()[0], safe.getStackTrace()[0]);
    }
}
