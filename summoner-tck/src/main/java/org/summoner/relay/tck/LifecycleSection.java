package org.summoner.relay.tck;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.summoner.relay.RunningServer;
import org.summoner.relay.ServerStartException;
import org.summoner.relay.SummonerServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kit's tests of SPEC 5 and start-up: server lines and lifecycle; run through {@link RelayEngineCompatibilityKit}. */
public abstract class LifecycleSection extends KitHarness {
    @Test
    @DisplayName("the engine asked for by name is the one that serves")
    void the_engine_named_in_version_serves() {
        assertEquals(engineName(), startServer().engineName());
    }

    @Test
    void every_client_gets_the_shutdown_notice_and_then_end_of_stream() throws Exception {
        final RunningServer server = startServer();
        final List<KitClient> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            all.add(connect(server));
        }
        awaitConnections(server, 20);

        final Thread closer = new Thread(server::close, "tck-closer");
        closer.start();
        for (KitClient client : all) {
            assertEquals("Warning: Server is shutting down.", client.readLine());
            client.assertEndOfStream();
            client.close();
        }
        closer.join(30_000);
        assertTrue(!closer.isAlive(), "close() returned");
    }

    @Test
    void a_busy_port_fails_start_up_with_a_clear_error() throws IOException {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            final ServerStartException e = assertThrows(ServerStartException.class,
                    () -> new SummonerServer("tck").start("127.0.0.1", busy.getLocalPort(), config(Map.of())));
            assertEquals("cannot bind 127.0.0.1:" + busy.getLocalPort() + ": Address already in use", e.getMessage());
        }
    }

    @Test
    void close_frees_the_port_and_can_be_called_twice() throws IOException {
        final RunningServer server = startServer();
        final int port = server.address().getPort();
        server.close();
        server.close();
        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            assertNotNull(again);
        }
    }
}
