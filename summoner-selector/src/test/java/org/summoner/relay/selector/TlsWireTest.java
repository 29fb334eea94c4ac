package org.summoner.relay.selector;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.summoner.relay.config.ServerConfig;
import org.summoner.relay.config.TlsSettings;
import org.summoner.relay.counters.RelayCounters;
import org.summoner.relay.tls.ServerTls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TlsWire} against a real TLS client on 127.0.0.1, the server's side driven by hand: the test decides when the
 * server reads, so what arrived before is exactly known.
 */
@Timeout(30)
class TlsWireTest {
    @TempDir
    Path dir;

    /** What the wire gave the session. */
    private static final class Recorder implements TlsWire.Reader {
        final ByteArrayOutputStream plaintext = new ByteArrayOutputStream();
        boolean ready;

        @Override
        public void onPlaintext(byte[] bytes, int offset, int length) {
            assertTrue(ready, "plaintext before the handshake was done");
            plaintext.write(bytes, offset, length);
        }

        @Override
        public void onHandshakeDone() {
            ready = true;
        }
    }

    @Test
    void a_clients_last_bytes_are_read_when_its_close_notify_was_followed_by_a_reset() throws Exception {
        final TlsSettings settings = settings();
        final ServerTls tls = ServerTls.of(settings, new RelayCounters());
        final Socket tcp = new Socket(); // closed by the test, with a reset
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            tcp.setSoTimeout(10_000);
            tcp.connect(listener.getLocalAddress());
            try (SocketChannel channel = listener.accept()) {
                channel.configureBlocking(false);
                final TlsWire wire = new TlsWire(channel, tls.newEngine((InetSocketAddress) tcp.getLocalSocketAddress()), new TlsWire.Buffers(tls.newEngine(null)));
                final Recorder session = new Recorder();
                final ByteBuffer app = ByteBuffer.allocate(64 * 1024);

                final SSLSocket client = (SSLSocket) clientContext(settings).getSocketFactory()
                        .createSocket(tcp, "localhost", tcp.getPort(), true);
                final CompletableFuture<Void> handshake = CompletableFuture.runAsync(() -> {
                    try {
                        client.startHandshake();
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                while (!(session.ready && handshake.isDone())) {
                    wire.read(session, app);
                    Thread.sleep(1);
                }
                handshake.get();

                client.getOutputStream().write("last words".getBytes(StandardCharsets.UTF_8));
                client.getOutputStream().flush();
                tcp.setSoLinger(true, 0);
                client.close(); // user_canceled and close_notify, which asks for an answer, then a reset
                TimeUnit.MILLISECONDS.sleep(200); // all of it arrived before the server reads

                int n;
                do {
                    n = wire.read(session, app);
                } while (n > 0);
                assertEquals(-1, n);
                assertEquals("last words", session.plaintext.toString(StandardCharsets.UTF_8));
            }
        } finally {
            tcp.close();
        }
    }

    private TlsSettings settings() throws IOException {
        for (String name : new String[] {"server.crt", "server.key"}) {
            try (InputStream in = TlsWireTest.class.getResourceAsStream("/org/summoner/relay/config/tls/" + name)) {
                Files.copy(in, dir.resolve(name));
            }
        }
        final String json = "{\"tls\": {\"cert\": \"" + path("server.crt") + "\", \"key\": \"" + path("server.key") + "\"}}";
        return ServerConfig.fromJson(json.getBytes(StandardCharsets.UTF_8), "server_config.json").tls().orElseThrow();
    }

    private String path(String name) {
        return dir.resolve(name).toString().replace("\\", "\\\\");
    }

    /** A client that trusts the server's own certificate. */
    private static SSLContext clientContext(TlsSettings settings) throws Exception {
        final KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        trusted.setCertificateEntry("server", settings.chain().get(0));
        final TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
