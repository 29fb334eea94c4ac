package org.summoner.relay.wire;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ServerNoticeTest {

    @Test
    void every_notice_has_the_exact_text_of_the_spec() {
        assertEquals("Warning: You are sending messages too quickly. Please slow down.", ServerNotice.RATE_LIMITED.text(0));
        assertEquals("Warning: You have been disconnected due to inactivity.", ServerNotice.IDLE_TIMEOUT.text(0));
        assertEquals("Warning: Server is shutting down.", ServerNotice.SHUTTING_DOWN.text(0));
        assertEquals("Warning: Line exceeds max_line_bytes (65536 bytes) and was dropped.", ServerNotice.LINE_TOO_LONG.text(65536));
        assertEquals("Warning: Line is not valid UTF-8 and was dropped.", ServerNotice.INVALID_UTF8.text(0));
        assertEquals("Warning: Your address is quarantined for 42 more seconds after falling too far behind; disconnecting.",
                ServerNotice.QUARANTINED.text(42));
        assertEquals("Warning: Server is full (max_connections 1000); disconnecting.", ServerNotice.SERVER_FULL.text(1000));
        assertEquals("Warning: Too many connections from your address (max_connections_per_ip 8); disconnecting.",
                ServerNotice.TOO_MANY_CONNECTIONS.text(8));
    }

    @Test
    void bytes_are_the_text_with_a_newline() {
        assertEquals("Warning: Line exceeds max_line_bytes (10 bytes) and was dropped.\n",
                new String(ServerNotice.LINE_TOO_LONG.toBytes(10), StandardCharsets.UTF_8));
    }
}
