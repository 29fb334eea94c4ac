package org.summoner.relay.tck;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.summoner.relay.monitoring.RelayStats;
import org.summoner.relay.RunningServer;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.net.ssl.SSLContext;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The kit's tests of SPEC 10's {@code tls} on new handshakes: a client that asks for one once its first is done (a TLS
 * 1.2 renegotiation, raw, split a byte at a time, in a flood, after a resumed session) is closed and counted while the
 * others chat on, and a TLS 1.3 key update is not such a request. Run through {@link RelayEngineCompatibilityKit}.
 */
public abstract class TlsRenegotiationSection extends TlsHarness {
    // ---- a new handshake on an established connection: refused, except a TLS 1.3 key update ----

    @Test
    void a_tls_1_2_client_that_asks_to_renegotiate_is_closed_and_counted_and_the_others_chat_on() throws Exception {
        assumeTrue(KitLogs.available(), "the server's log is read through Logback, and SLF4J is bound to another binding");
        final RunningServer server = startTlsServer(KitTls.serverSection());
        final KitClient bystander = connectTls(server, KitTls.client());
        final KitClient old = connectTapped(server, new TappedSocket(), "TLSv1.2");
        assertEquals("TLSv1.2", old.protocol());
        awaitConnections(server, 2);
        old.send("before\n");
        assertEquals(envelope(old, "before"), bystander.readLine());
        try (KitLogs logs = KitLogs.capture()) {
            old.send("just before\n");
            old.startHandshake(); // a ClientHello under the session's keys: a full handshake on demand, on the I/O thread
            old.assertClosedByServer();
            assertEquals(envelope(old, "just before"), bystander.readLine(), "what came before the request is relayed");
            awaitStats(server, "one renegotiation refused", stats -> stats.tlsRenegotiationsRefused() == 1);
            awaitConnections(server, 1);
            final String warning = "WARN org.summoner.relay.tls.ServerTls: " + old.address()
                    + " asked for a new TLS handshake on an established connection (a renegotiation); refused and closed";
            await("the refusal's WARN line", () -> logs.lines().contains(warning), () -> String.join("\n", logs.lines()));
        }
        final KitClient newcomer = connectTls(server, KitTls.client());
        awaitConnections(server, 2);
        bystander.send("still here\n");
        assertEquals(envelope(bystander, "still here"), newcomer.readLine());
        newcomer.send("and me\n");
        assertEquals(envelope(newcomer, "and me"), bystander.readLine());
        final RelayStats stats = server.stats();
        assertEquals(1, stats.tlsRenegotiationsRefused(), stats.toString());
        assertEquals(0, stats.tlsHandshakeFailures(), "a refused renegotiation is not a failed handshake: " + stats);
    }

    @ParameterizedTest(name = "over {0}")
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void a_client_hello_written_raw_under_an_established_session_is_refused_and_counted(String protocol) throws Exception {
        final RunningServer server = startTlsServer(KitTls.serverSection());
        final KitClient bystander = connectTls(server, KitTls.client());
        final TappedSocket tcp = new TappedSocket();
        final KitClient client = connectTapped(server, tcp, protocol);
        assertEquals(protocol, client.protocol());
        awaitConnections(server, 2);
        client.send("over " + protocol + "\n");
        assertEquals(envelope(client, "over " + protocol), bystander.readLine());
        // In TLS 1.2 a handshake record after the handshake is a renegotiation; TLS 1.3 has none, and sends even its
        // post-handshake messages as application data records.
        tcp.writeRaw(RawTls.clientHello("localhost".getBytes(StandardCharsets.US_ASCII)));
        client.assertClosedByServer();
        awaitStats(server, "one renegotiation refused", stats -> stats.tlsRenegotiationsRefused() == 1);
        awaitConnections(server, 1);
        assertEquals(0, server.stats().tlsHandshakeFailures(), server.stats().toString());
    }

    @Test
    void a_renegotiation_written_a_byte_at_a_time_is_refused() throws Exception {
        final RunningServer server = startTlsServer(KitTls.serverSection());
        final KitClient bystander = connectTls(server, KitTls.client());
        final TappedSocket tcp = new TappedSocket();
        final KitClient old = connectTapped(server, tcp, "TLSv1.2");
        awaitConnections(server, 2);
        old.send("before\n");
        assertEquals(envelope(old, "before"), bystander.readLine());
        tcp.trickle(true); // the ClientHello's record reaches the server split, its header too
        try {
            old.startHandshake();
        } catch (IOException closedMidRecord) {
            // the server refused on the record's first bytes and closed while the rest was being written
        }
        old.assertClosedByServer();
        awaitStats(server, "one renegotiation refused", stats -> stats.tlsRenegotiationsRefused() == 1);
        awaitConnections(server, 1);
        assertEquals(0, server.stats().tlsHandshakeFailures(), server.stats().toString());
    }

    @Test
    void a_flood_of_handshake_records_is_refused_at_the_first_and_each_connection_counted_once() throws Exception {
        final RunningServer server = startTlsServer(KitTls.serverSection());
        final KitClient bystander = connectTls(server, KitTls.client());
        final TappedSocket tcp = new TappedSocket();
        final KitClient flooder = connectTapped(server, tcp, "TLSv1.2");
        awaitConnections(server, 2);
        try {
            tcp.writeRaw(RawTls.helloRequests(2_000)); // what a server sends to ask for a renegotiation, from a client
        } catch (IOException closedMidFlood) {
            // refused at the first record, closed before the rest was written
        }
        flooder.assertClosedByServer();
        awaitStats(server, "one renegotiation refused", stats -> stats.tlsRenegotiationsRefused() == 1);
        awaitConnections(server, 1);
        for (int i = 0; i < 3; i++) {
            final KitClient old = connectTapped(server, new TappedSocket(), "TLSv1.2");
            awaitConnections(server, 2);
            old.startHandshake();
            old.assertClosedByServer();
            awaitConnections(server, 1);
        }
        awaitStats(server, "four renegotiations refused", stats -> stats.tlsRenegotiationsRefused() == 4);
        final KitClient newcomer = connectTls(server, KitTls.client());
        awaitConnections(server, 2);
        bystander.send("still here\n");
        assertEquals(envelope(bystander, "still here"), newcomer.readLine());
        final RelayStats stats = server.stats();
        assertEquals(4, stats.tlsRenegotiationsRefused(), stats.toString());
        assertEquals(0, stats.tlsHandshakeFailures(), stats.toString());
    }

    @Test
    void with_client_ca_a_tls_1_2_client_whose_certificate_messages_follow_its_hello_is_served() throws Exception {
        final RunningServer server = startTlsServer(KitTls.serverSectionWithClientCa());
        final KitClient member = connectTls(server, KitTls.client("client"));
        final KitClient old = track(KitClient.connect(server.address(), new TappedSocket(), KitTls.client("client"),
                new String[] {"TLSv1.2"}));
        assertEquals("TLSv1.2", old.protocol());
        awaitConnections(server, 2);
        old.send("certified 1.2\n");
        assertEquals(envelope(old, "certified 1.2"), member.readLine());
        final RelayStats stats = server.stats();
        assertEquals(0, stats.tlsRenegotiationsRefused(), stats.toString());
        assertEquals(0, stats.tlsHandshakeFailures(), stats.toString());
    }

    @Test
    void a_resumed_tls_1_2_session_whose_last_handshake_record_is_the_clients_is_served() throws Exception {
        final RunningServer server = startTlsServer(KitTls.serverSection());
        final KitClient bystander = connectTls(server, KitTls.client());
        final SSLContext context = KitTls.client(); // one context, whose session cache resumes the second connection
        final KitClient first = track(KitClient.connect(server.address(), new TappedSocket(), context, new String[] {"TLSv1.2"}));
        awaitConnections(server, 2);
        first.send("first\n");
        assertEquals(envelope(first, "first"), bystander.readLine());
        // An abbreviated handshake ends with the client's Finished, a handshake record, where a full one ends with the
        // server's: the session must not count as established before it.
        final KitClient resumed = track(KitClient.connect(server.address(), new TappedSocket(), context, new String[] {"TLSv1.2"}));
        assertTrue(resumed.session() == first.session(), "the second connection did not resume the first's session");
        awaitConnections(server, 3);
        resumed.send("resumed\n");
        assertEquals(envelope(resumed, "resumed"), bystander.readLine());
        assertEquals(envelope(resumed, "resumed"), first.readLine());
        bystander.send("to both\n");
        assertEquals(envelope(bystander, "to both"), first.readLine());
        assertEquals(envelope(bystander, "to both"), resumed.readLine());
        resumed.startHandshake();
        resumed.assertClosedByServer();
        awaitStats(server, "one renegotiation refused", stats -> stats.tlsRenegotiationsRefused() == 1);
        awaitConnections(server, 2);
        assertEquals(0, server.stats().tlsHandshakeFailures(), server.stats().toString());
    }

    @Test
    void a_second_client_hello_before_the_first_handshake_is_done_fails_that_handshake() throws Exception {
        final RunningServer server = startTlsServer(KitTls.serverSection());
        final byte[] hello = RawTls.clientHello("localhost".getBytes(StandardCharsets.US_ASCII));
        final byte[] twice = new byte[2 * hello.length];
        System.arraycopy(hello, 0, twice, 0, hello.length);
        System.arraycopy(hello, 0, twice, hello.length, hello.length);
        try (Socket raw = new Socket(server.address().getAddress(), server.address().getPort())) {
            raw.setSoTimeout((int) KitClient.READ_TIMEOUT.toMillis());
            raw.getOutputStream().write(twice);
            raw.getInputStream().readAllBytes(); // the server's first flight and its alert, then the end of the stream
        } catch (SocketException reset) {
            // a reset is a close too
        }
        awaitStats(server, "one failed TLS handshake", stats -> stats.tlsHandshakeFailures() == 1);
        final RelayStats stats = server.stats();
        assertEquals(0, stats.tlsRenegotiationsRefused(), "before its handshake is done a client has nothing to renegotiate: " + stats);
        assertEquals(0, stats.connectionsOpened(), stats.toString());
    }

    @Test
    void a_tls_1_3_key_update_is_not_a_renegotiation_and_both_sides_chat_on() throws Exception {
        final RunningServer server = startTlsServer(KitTls.serverSection());
        final KitClient bystander = connectTls(server, KitTls.client());
        final TappedSocket tcp = new TappedSocket();
        final KitClient client = connectTapped(server, tcp, "TLSv1.3");
        assertEquals("TLSv1.3", client.protocol());
        awaitConnections(server, 2);
        client.send("before\n");
        assertEquals(envelope(client, "before"), bystander.readLine());
        for (int i = 0; i < 3; i++) {
            final int from = tcp.written().length;
            client.startHandshake(); // the JDK's client sends a KeyUpdate asking the server to update its keys too
            final byte[] written = tcp.written();
            assertEquals(List.of(RawTls.APPLICATION_DATA), RawTls.recordTypes(written, from, written.length),
                    "a TLS 1.3 KeyUpdate travels as one application_data record");
            client.send("after key update " + i + "\n");
            assertEquals(envelope(client, "after key update " + i), bystander.readLine());
            bystander.send("back " + i + "\n");
            assertEquals(envelope(bystander, "back " + i), client.readLine());
        }
        final RelayStats stats = server.stats();
        assertEquals(0, stats.tlsRenegotiationsRefused(), stats.toString());
        assertEquals(0, stats.tlsHandshakeFailures(), stats.toString());
        assertEquals(2, stats.connectionsOpen(), stats.toString());
    }

    /** A TLS client over {@code tcp}, offering only {@code protocol}; closed after the test. */
    private KitClient connectTapped(RunningServer server, TappedSocket tcp, String protocol) throws IOException {
        return track(KitClient.connect(server.address(), tcp, KitTls.client(), new String[] {protocol}));
    }
}
