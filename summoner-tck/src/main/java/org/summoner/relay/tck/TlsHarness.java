package org.summoner.relay.tck;

import org.summoner.relay.RunningServer;
import org.summoner.relay.SummonerServer;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.Socket;
import java.util.Map;

/** What the kit's TLS sections share: a server with {@code tls} on the relay port, and TLS clients. */
public abstract class TlsHarness extends KitHarness {
    protected RunningServer startTlsServer(Map<String, Object> tls) {
        final Map<String, Object> config = config(Map.of());
        config.put("tls", tls);
        final RunningServer server = new SummonerServer("tck").start("127.0.0.1", 0, config);
        track(server);
        return server;
    }

    protected KitClient connectTls(RunningServer server, SSLContext context) throws IOException {
        return track(KitClient.connect(server.address(), 0, null, context));
    }

    /** The {@code remote_addr} of a raw TLS socket, as {@link KitClient#address()} writes it. */
    protected static String localAddress(Socket socket) {
        return socket.getLocalAddress().getHostAddress() + ":" + socket.getLocalPort();
    }
}
