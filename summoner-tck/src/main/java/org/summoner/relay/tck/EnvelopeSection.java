package org.summoner.relay.tck;

import org.junit.jupiter.api.Test;
import org.summoner.relay.monitoring.RelayStats;
import org.summoner.relay.RunningServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The kit's tests of SPEC 3: the envelope; run through {@link RelayEngineCompatibilityKit}. */
public abstract class EnvelopeSection extends KitHarness {
    @Test
    void a_line_reaches_every_other_client_as_the_exact_envelope() throws IOException {
        final RunningServer server = startServer();
        final KitClient a = connect(server);
        final KitClient b = connect(server);
        final KitClient c = connect(server);
        awaitConnections(server, 3);

        a.send("hello\n");

        final String exact = "{\"remote_addr\":\"127.0.0.1:" + a.localPort() + "\",\"content\":\"hello\"}";
        assertEquals(exact, b.readLine());
        assertEquals(exact, c.readLine());
        a.assertNothingWithin(Duration.ofMillis(200));
    }

    @Test
    void the_sender_never_gets_its_own_line() throws IOException {
        final Pair pair = startPair();
        final KitClient a = pair.a();
        final KitClient b = pair.b();

        a.send("from a\n");
        assertEquals(envelope(a, "from a"), b.readLine());
        b.send("from b\n");

        assertEquals(envelope(b, "from b"), a.readLine(), "a's first line is b's, not its own");
        a.assertNothingWithin(Duration.ofMillis(200));
    }

    @Test
    void counters_count_lines_and_deliveries() throws IOException {
        final RunningServer server = startServer();
        final KitClient a = connect(server);
        final KitClient b = connect(server);
        final KitClient c = connect(server);
        awaitConnections(server, 3);

        a.send("1\n2\n3\n");
        for (int i = 1; i <= 3; i++) {
            assertEquals(envelope(a, String.valueOf(i)), b.readLine());
            assertEquals(envelope(a, String.valueOf(i)), c.readLine());
        }
        awaitStats(server, "6 deliveries", stats -> stats.deliveries() == 6);
        final RelayStats stats = server.stats();
        assertEquals(3, stats.linesReceived());
        assertEquals(3, stats.linesRelayed());
        assertEquals(6, stats.bytesReceived());
        assertEquals(3, stats.connectionsOpened());
    }

    @Test
    void a_line_that_is_json_is_carried_as_an_escaped_string() throws IOException {
        final Pair pair = startPair();
        final KitClient a = pair.a();
        final KitClient b = pair.b();

        a.send("{\"type\":\"offer\",\"price\":[1,2.5],\"ok\":true}\n");

        assertEquals(envelope(a, "{\\\"type\\\":\\\"offer\\\",\\\"price\\\":[1,2.5],\\\"ok\\\":true}"), b.readLine());
    }

    @Test
    void quotes_backslashes_and_control_characters_are_escaped() throws IOException {
        final Pair pair = startPair();
        final KitClient a = pair.a();
        final KitClient b = pair.b();

        final StringBuilder controls = new StringBuilder();
        for (char ch = 0; ch < 0x20; ch++) {
            if (ch != '\n') {
                controls.append(ch);
            }
        }
        a.send("q\" b\\ /" + controls + "\u007f end\n");

        assertEquals(envelope(a, "q\\\" b\\\\ /"
                + "\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\u000b\\f\\r\\u000e\\u000f"
                + "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f"
                + "\u007f end"), b.readLine());
    }

    @Test
    void non_ascii_text_arrives_as_the_same_utf8() throws IOException {
        final Pair pair = startPair();
        final KitClient a = pair.a();
        final KitClient b = pair.b();

        a.send("héllo 世界 😀 \u2028\n");

        assertEquals(envelope(a, "héllo 世界 😀 \u2028"), b.readLine());
    }

    @Test
    void remote_addr_of_an_ipv6_client_is_bracketed() throws IOException {
        assumeTrue(ipv6LoopbackWorks(), "IPv6 loopback (::1) is not available on this machine");
        final RunningServer server = startServer("::1", Map.of());
        final KitClient a = connect(new InetSocketAddress("::1", server.address().getPort()), 0, null);
        final KitClient b = connect(new InetSocketAddress("::1", server.address().getPort()), 0, null);
        awaitConnections(server, 2);

        a.send("v6\n");

        assertEquals("{\"remote_addr\":\"[::1]:" + a.address().substring(a.address().lastIndexOf(':') + 1)
                + "\",\"content\":\"v6\"}", b.readLine());
    }
}
