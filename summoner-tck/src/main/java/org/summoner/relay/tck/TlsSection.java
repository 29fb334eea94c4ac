package org.summoner.relay.tck;

import org.junit.jupiter.api.Test;
import org.summoner.relay.monitoring.RelayStats;
import org.summoner.relay.RunningServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The kit's tests of SPEC 10's {@code tls}: TLS 1.3 and 1.2 clients chat with exact envelopes; a plaintext client is
 * told in one plaintext line and closed; a failed handshake (no client certificate, or one {@code client_ca} did not
 * sign) is counted and never becomes a client; nothing reaches a connection before its handshake is done; a server
 * name holding line breaks reaches the log escaped; renegotiation is {@link TlsRenegotiationSection}'s. Run through
 * {@link RelayEngineCompatibilityKit}; the rest of the wire contract over TLS is {@link RelayEngineTlsKit}.
 */
public abstract class TlsSection extends TlsHarness {
    private static final String PLAINTEXT_NOTICE = "Warning: This port speaks TLS only; plaintext connections are closed.";

    @Test
    void tls_clients_chat_with_the_exact_envelopes_of_plain_tcp() throws Exception {
        final RunningServer server = startTlsServer(KitTls.serverSection());
        final KitClient a = connectTls(server, KitTls.client());
        final KitClient b = connectTls(server, KitTls.client());
        awaitConnections(server, 2);
        a.send("hello {\"json\": \"inside\"}\n");
        assertEquals(envelope(a, "hello {\\\"json\\\": \\\"inside\\\"}"), b.readLine());
        final String longLine = "x".repeat(60_000);
        for (int i = 0; i < 20; i++) {
            b.send(i + longLine + "\n");
        }
        for (int i = 0; i < 20; i++) {
            assertEquals(envelope(b, i + longLine), a.readLine());
        }
    }

    @Test
    void a_client_that_closes_has_its_last_line_relayed_then_gets_the_servers_close_notify() throws Exception {
        final RunningServer server = startTlsServer(KitTls.serverSection());
        final KitClient a = connectTls(server, KitTls.client());
        final KitClient b = connectTls(server, KitTls.client());
        awaitConnections(server, 2);
        a.send("last words");
        a.shutdownOutput(); // its close_notify
        assertEquals(envelope(a, "last words"), b.readLine());
        a.assertCloseNotify();
    }

    @Test
    void a_tls_1_2_client_is_served_and_nothing_older_is_offered() throws Exception {
        final RunningServer server = startTlsServer(KitTls.serverSection());
        final KitClient modern = connectTls(server, KitTls.client());
        final SSLContext context = KitTls.client();
        final Socket tcp = new Socket(server.address().getAddress(), server.address().getPort());
        tcp.setSoTimeout((int) KitClient.READ_TIMEOUT.toMillis());
        try (SSLSocket old = (SSLSocket) context.getSocketFactory().createSocket(tcp, "localhost", server.address().getPort(), true)) {
            old.setEnabledProtocols(new String[] {"TLSv1.2"});
            old.startHandshake();
            assertEquals("TLSv1.2", old.getSession().getProtocol());
            awaitConnections(server, 2);
            old.getOutputStream().write("from 1.2\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(envelope(localAddress(old), "from 1.2"), modern.readLine());
        }
    }

    @Test
    void a_plaintext_client_is_told_in_one_line_closed_and_counted_and_never_relayed() throws Exception {
        final RunningServer server = startTlsServer(KitTls.serverSection());
        final KitClient listener = connectTls(server, KitTls.client());
        awaitConnections(server, 1);
        try (Socket plain = new Socket(server.address().getAddress(), server.address().getPort())) {
            plain.setSoTimeout((int) KitClient.READ_TIMEOUT.toMillis());
            plain.getOutputStream().write("hello in plaintext\n".getBytes(StandardCharsets.US_ASCII));
            final InputStream in = plain.getInputStream();
            assertEquals(PLAINTEXT_NOTICE + "\n", new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        }
        awaitStats(server, "one plaintext client refused", stats -> stats.tlsPlaintextRefused() == 1);
        listener.assertNothingWithin(Duration.ofMillis(300));
        final RelayStats stats = server.stats();
        assertEquals(1, stats.connectionsOpened(), "the plaintext client never became a client: " + stats);
        assertEquals(0, stats.linesReceived(), stats.toString());
    }

    @Test
    void a_client_that_never_finishes_its_handshake_is_closed_after_handshake_timeout_secs_while_the_others_chat() throws Exception {
        final Map<String, Object> tls = new LinkedHashMap<>(KitTls.serverSection());
        tls.put("handshake_timeout_secs", 1);
        final RunningServer server = startTlsServer(tls); // client_timeout_secs unset: no other clock would ever close them
        final KitClient a = connectTls(server, KitTls.client());
        final KitClient b = connectTls(server, KitTls.client());
        awaitConnections(server, 2);
        final long start = System.nanoTime();
        try (Socket silent = new Socket(server.address().getAddress(), server.address().getPort());
             Socket halfway = new Socket(server.address().getAddress(), server.address().getPort())) {
            silent.setSoTimeout((int) KitClient.READ_TIMEOUT.toMillis());
            halfway.setSoTimeout((int) KitClient.READ_TIMEOUT.toMillis());
            halfway.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01}); // a ClientHello's first bytes, no more
            assertEquals(-1, silent.getInputStream().read(), "closed, with nothing written: it never spoke TLS");
            assertEquals(-1, readPastAnyAlert(halfway.getInputStream()));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(900), "not before the deadline");
        }
        awaitStats(server, "two TLS handshakes out of time", stats -> stats.tlsHandshakeFailures() == 2);
        a.send("still here\n");
        assertEquals(envelope(a, "still here"), b.readLine());
        final RelayStats stats = server.stats();
        assertEquals(2, stats.connectionsOpen(), stats.toString());
        assertEquals(2, stats.connectionsOpened(), "they never became clients: " + stats);
    }

    /** @return what follows whatever TLS alert the server sent before closing: -1 when it closed (or reset). */
    private static int readPastAnyAlert(InputStream in) throws IOException {
        int b;
        do {
            try {
                b = in.read();
            } catch (SocketException reset) {
                return -1;
            }
        } while (b >= 0);
        return b;
    }

    @Test
    void with_client_ca_a_client_without_a_signed_certificate_fails_the_handshake_and_is_counted() throws Exception {
        final RunningServer server = startTlsServer(KitTls.serverSectionWithClientCa());
        final KitClient member = connectTls(server, KitTls.client("client"));
        awaitConnections(server, 1);
        for (SSLContext outsider : new SSLContext[] {KitTls.client(), KitTls.client("stranger")}) {
            // TLS 1.3: the client's handshake may finish before the server judged its certificate; its first read
            // then gets the server's alert, or the end of the stream.
            assertThrows(IOException.class, () -> {
                final KitClient client = connectTls(server, outsider);
                assertNull(client.readLineOrEnd());
                throw new IOException("closed without a line");
            });
        }
        awaitStats(server, "two failed TLS handshakes", stats -> stats.tlsHandshakeFailures() == 2);
        assertEquals(1, server.stats().connectionsOpen(), server.stats().toString());
        final KitClient second = connectTls(server, KitTls.client("client"));
        awaitConnections(server, 2);
        member.send("members only\n");
        assertEquals(envelope(member, "members only"), second.readLine());
    }

    @Test
    void a_connection_mid_handshake_is_not_a_client_and_gets_nothing() throws Exception {
        final RunningServer server = startTlsServer(KitTls.serverSection());
        final KitClient a = connectTls(server, KitTls.client());
        final KitClient b = connectTls(server, KitTls.client());
        awaitConnections(server, 2);
        try (Socket stalled = new Socket(server.address().getAddress(), server.address().getPort())) {
            stalled.setSoTimeout(500);
            stalled.getOutputStream().write(new byte[] {0x16, 0x03, 0x01}); // the start of a record, then silence
            a.send("not for the stalled one\n");
            assertEquals(envelope(a, "not for the stalled one"), b.readLine());
            assertEquals(2, server.stats().connectionsOpen(), server.stats().toString());
            assertThrows(SocketTimeoutException.class, () -> stalled.getInputStream().read());
        }
    }

    @Test
    void a_server_name_holding_line_breaks_reaches_the_log_escaped_and_forges_no_line() throws Exception {
        assumeTrue(KitLogs.available(), "the server's log is read through Logback, and SLF4J is bound to another binding");
        final RunningServer server = startTlsServer(KitTls.serverSection());
        // The JDK's client refuses such a name (SNIHostName); a ClientHello written by hand carries it as it is. The
        // JDK's server refuses it too, in an exception whose message quotes it.
        final String forged = "2031-01-01 00:00:00,000 CRITICAL - the relay was compromised";
        final String name = "x\r\n" + forged + ".";
        try (KitLogs logs = KitLogs.capture()) {
            final Socket raw = new Socket(server.address().getAddress(), server.address().getPort());
            final String client = localAddress(raw);
            try (raw) {
                raw.setSoTimeout((int) KitClient.READ_TIMEOUT.toMillis());
                raw.getOutputStream().write(RawTls.clientHello(name.getBytes(StandardCharsets.UTF_8)));
                raw.getInputStream().readAllBytes(); // the server's alert, then the end of the stream
            } catch (SocketException reset) {
                // a reset is a close too
            }
            awaitStats(server, "one failed TLS handshake", stats -> stats.tlsHandshakeFailures() == 1);
            final String warning = "WARN org.summoner.relay.tls.ServerTls: " + client + " failed the TLS handshake: ";
            await("the failed handshake's WARN line", () -> logs.lines().stream().anyMatch(line -> line.startsWith(warning)),
                    () -> String.join("\n", logs.lines()));
            final List<String> lines = logs.lines();
            for (String line : lines) {
                assertFalse(line.contains("\n") || line.contains("\r"), "a raw line break reached the log: " + line);
            }
            final String escaped = "x\\r\\n" + forged + ".";
            assertTrue(lines.stream().anyMatch(line -> line.startsWith(warning) && line.contains(escaped)),
                    "no WARN line shows the name escaped, " + escaped + ": " + String.join("\n", lines));
        }
        assertEquals(0, server.stats().connectionsOpened(), server.stats().toString());
    }
}
