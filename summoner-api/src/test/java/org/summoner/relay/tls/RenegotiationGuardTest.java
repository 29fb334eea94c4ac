package org.summoner.relay.tls;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.summoner.relay.config.ServerConfig;
import org.summoner.relay.config.TlsSettings;
import org.summoner.relay.counters.RelayCounters;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link RenegotiationGuard} between two engines in memory, the test passing every record from one to the other by
 * hand: what the server is given, and when, is exactly known, down to a single byte of a record.
 */
@Timeout(30)
class RenegotiationGuardTest {
    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);

    @TempDir
    Path dir;

    private final RelayCounters counters = new RelayCounters();
    /** Ciphertext from the client to the server and back, in fill mode. */
    private final ByteBuffer toServer = ByteBuffer.allocate(1 << 17);
    private final ByteBuffer toClient = ByteBuffer.allocate(1 << 17);
    private final ByteBuffer serverApp = ByteBuffer.allocate(1 << 17);
    private final ByteBuffer clientApp = ByteBuffer.allocate(1 << 17);

    @Test
    void a_tls_1_2_client_hello_after_the_handshake_is_refused_on_its_first_byte_and_counted_once() throws Exception {
        final TlsSettings settings = settings();
        final SSLEngine server = ServerTls.of(settings, counters).newEngine(CLIENT);
        final SSLEngine client = client(settings, "TLSv1.2");
        handshake(client, server);
        assertEquals("TLSv1.2", server.getSession().getProtocol());

        client.beginHandshake(); // a renegotiation
        wrapAll(client, toServer);
        toServer.flip();
        assertEquals(0x16, toServer.get(0), "a handshake record");
        final int record = toServer.remaining();
        final ByteBuffer firstByte = toServer.duplicate().limit(1);
        final SSLException refused = assertThrows(SSLException.class, () -> server.unwrap(firstByte, serverApp));
        assertInstanceOf(RenegotiationGuard.RenegotiationRefused.class, refused);
        assertEquals("a new TLS handshake on an established connection (a renegotiation) is refused", refused.getMessage());
        assertEquals(1, counters.tlsRenegotiationsRefused());
        assertEquals(0, firstByte.position(), "nothing of the record reached the JDK's engine");

        assertThrows(RenegotiationGuard.RenegotiationRefused.class, () -> server.unwrap(toServer, serverApp));
        assertEquals(record, toServer.remaining());
        assertEquals(1, counters.tlsRenegotiationsRefused(), "one refusal per connection");
        assertEquals(0, counters.tlsHandshakeFailures());

        // What the server's owner sends next: its close_notify, which ends the client's renegotiation.
        toClient.clear();
        final SSLEngineResult closing = server.wrap(NOTHING, toClient);
        assertEquals(SSLEngineResult.Status.CLOSED, closing.getStatus());
        toClient.flip();
        assertEquals(0x15, toClient.get(0), "an alert record");
        final SSLException ended = assertThrows(SSLException.class, () -> client.unwrap(toClient, clientApp));
        assertEquals("Received close_notify during handshake", ended.getMessage());
    }

    @Test
    void application_data_before_the_client_hello_passes_and_the_hello_is_refused() throws Exception {
        final TlsSettings settings = settings();
        final SSLEngine server = ServerTls.of(settings, counters).newEngine(CLIENT);
        final SSLEngine client = client(settings, "TLSv1.2");
        handshake(client, server);

        client.wrap(ByteBuffer.wrap("a line\n".getBytes(StandardCharsets.UTF_8)), toServer);
        client.beginHandshake();
        wrapAll(client, toServer);
        toServer.flip();
        serverApp.clear();
        final SSLEngineResult line = server.unwrap(toServer, serverApp);
        assertEquals(SSLEngineResult.Status.OK, line.getStatus());
        assertEquals("a line\n", new String(serverApp.array(), 0, serverApp.position(), StandardCharsets.UTF_8));
        assertThrows(RenegotiationGuard.RenegotiationRefused.class, () -> server.unwrap(toServer, serverApp));
        assertEquals(1, counters.tlsRenegotiationsRefused());
    }

    @Test
    void a_tls_1_3_key_update_passes_both_ways_and_is_not_counted() throws Exception {
        final TlsSettings settings = settings();
        final SSLEngine server = ServerTls.of(settings, counters).newEngine(CLIENT);
        final SSLEngine client = client(settings, "TLSv1.3");
        handshake(client, server);
        assertEquals("TLSv1.3", server.getSession().getProtocol());
        for (int i = 0; i < 3; i++) {
            client.beginHandshake(); // the JDK's TLS 1.3 engine sends a KeyUpdate, asking for the server's
            wrapAll(client, toServer);
            toServer.flip();
            assertEquals(0x17, toServer.get(0), "TLS 1.3 sends its KeyUpdate as an application_data record");
            toServer.compact();
            handshake(client, server); // the server's own KeyUpdate, back
            client.wrap(ByteBuffer.wrap(("after " + i).getBytes(StandardCharsets.UTF_8)), toServer);
            toServer.flip();
            serverApp.clear();
            server.unwrap(toServer, serverApp);
            toServer.compact();
            assertEquals("after " + i, new String(serverApp.array(), 0, serverApp.position(), StandardCharsets.UTF_8));
            server.wrap(ByteBuffer.wrap(("back " + i).getBytes(StandardCharsets.UTF_8)), toClient);
            toClient.flip();
            clientApp.clear();
            client.unwrap(toClient, clientApp);
            toClient.compact();
            assertEquals("back " + i, new String(clientApp.array(), 0, clientApp.position(), StandardCharsets.UTF_8));
        }
        assertEquals(0, counters.tlsRenegotiationsRefused());
    }

    @Test
    void a_second_client_hello_before_the_handshake_is_done_is_the_jdks_to_refuse() throws Exception {
        final TlsSettings settings = settings();
        final SSLEngine server = ServerTls.of(settings, counters).newEngine(CLIENT);
        final SSLEngine client = client(settings, "TLSv1.2");
        client.beginHandshake();
        wrapAll(client, toServer);
        toServer.flip();
        final byte[] hello = new byte[toServer.remaining()];
        toServer.get(hello);
        final ByteBuffer twice = ByteBuffer.allocate(2 * hello.length).put(hello).put(hello).flip();
        final SSLException failed = assertThrows(SSLException.class, () -> {
            for (int i = 0; i < 10 && twice.hasRemaining(); i++) {
                server.unwrap(twice, serverApp);
                runTasks(server);
                toClient.clear();
                while (server.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP
                        && server.wrap(NOTHING, toClient).bytesProduced() > 0) {
                    toClient.clear();
                }
            }
        });
        assertFalse(failed instanceof RenegotiationGuard.RenegotiationRefused, failed.toString());
        assertEquals(0, counters.tlsRenegotiationsRefused());
    }

    // ---- two engines in memory ----

    /** Passes records between the two until neither has handshake work left (a first handshake or a key update). */
    private void handshake(SSLEngine client, SSLEngine server) throws SSLException {
        if (client.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
                && server.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
                && toServer.position() == 0 && toClient.position() == 0) {
            client.beginHandshake();
            server.beginHandshake();
        }
        for (int turn = 0; turn < 100; turn++) {
            final boolean moved = step(client, toClient, toServer, clientApp) | step(server, toServer, toClient, serverApp);
            if (!moved && toServer.position() == 0 && toClient.position() == 0
                    && client.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
                    && server.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING) {
                return;
            }
        }
        throw new AssertionError("no end to the handshake: client " + client.getHandshakeStatus() + ", server " + server.getHandshakeStatus());
    }

    /** @return whether the engine consumed or produced anything. */
    private static boolean step(SSLEngine engine, ByteBuffer in, ByteBuffer out, ByteBuffer app) throws SSLException {
        boolean moved = runTasks(engine);
        if (engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
            moved |= wrapAll(engine, out) > 0;
        }
        if (in.position() > 0) {
            in.flip();
            while (in.hasRemaining()) {
                final SSLEngineResult result = engine.unwrap(in, app);
                moved |= result.bytesConsumed() > 0;
                runTasks(engine);
                if (result.bytesConsumed() == 0 || result.getStatus() != SSLEngineResult.Status.OK) {
                    break;
                }
            }
            in.compact();
        }
        return moved;
    }

    private static boolean runTasks(SSLEngine engine) {
        boolean ran = false;
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
            ran = true;
        }
        return ran;
    }

    /** @return the bytes of records the engine wrapped into {@code out} while it had handshake messages to send. */
    private static int wrapAll(SSLEngine engine, ByteBuffer out) throws SSLException {
        int produced = 0;
        while (true) {
            final SSLEngineResult result = engine.wrap(NOTHING, out);
            produced += result.bytesProduced();
            runTasks(engine);
            if (result.bytesProduced() == 0 || engine.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                return produced;
            }
        }
    }

    private SSLEngine client(TlsSettings settings, String protocol) throws Exception {
        final KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        trusted.setCertificateEntry("server", settings.chain().get(0));
        final TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        final SSLEngine engine = context.createSSLEngine("localhost", 8888);
        engine.setUseClientMode(true);
        engine.setEnabledProtocols(new String[] {protocol});
        return engine;
    }

    private TlsSettings settings() throws IOException {
        for (String name : new String[] {"server.crt", "server.key"}) {
            try (InputStream in = RenegotiationGuardTest.class.getResourceAsStream("/org/summoner/relay/config/tls/" + name)) {
                Files.copy(in, dir.resolve(name));
            }
        }
        final String json = "{\"tls\": {\"cert\": \"" + path("server.crt") + "\", \"key\": \"" + path("server.key") + "\"}}";
        return ServerConfig.fromJson(json.getBytes(StandardCharsets.UTF_8), "server_config.json").tls().orElseThrow();
    }

    private String path(String name) {
        return dir.resolve(name).toString().replace("\\", "\\\\");
    }
}
