package org.summoner.relay.netty;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.summoner.relay.RunningServer;
import org.summoner.relay.SummonerServer;
import org.summoner.relay.tck.KitClient;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every value of {@code "netty": {"transport": ...}} serves clients: the transport itself where this machine has it,
 * NIO where native epoll is missing.
 */
class NettyTransportsTest {
    @ParameterizedTest
    @ValueSource(strings = {"auto", "epoll", "nio"})
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void a_line_is_relayed_on_every_transport(String transport) throws Exception {
        try (RunningServer server = new SummonerServer("transports").start("127.0.0.1", 0,
                Map.of("version", "netty", "netty", Map.of("transport", transport)));
             KitClient a = KitClient.connect(server.address());
             KitClient b = KitClient.connect(server.address())) {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (server.stats().connectionsOpen() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            a.send("hello over " + transport + "\n");
            assertEquals("{\"remote_addr\":\"" + a.address() + "\",\"content\":\"hello over " + transport + "\"}", b.readLine());
        }
    }
}
