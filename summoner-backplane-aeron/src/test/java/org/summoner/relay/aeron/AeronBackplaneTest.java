package org.summoner.relay.aeron;

import io.aeron.CommonContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.summoner.relay.RunningServer;
import org.summoner.relay.ServerStartException;
import org.summoner.relay.SummonerServer;
import org.summoner.relay.tck.FreePorts;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Aeron backplane's own failures at start: each stops start-up with a message naming the key. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AeronBackplaneTest {
    private final List<RunningServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(RunningServer::close);
    }

    private static Map<String, Object> config(String node, String endpoint, String driver, String directory) {
        final Map<String, Object> aeron = new LinkedHashMap<>();
        aeron.put("endpoint", endpoint);
        aeron.put("peers", List.of("127.0.0.1:9"));
        aeron.put("driver", driver);
        if (directory != null) {
            aeron.put("directory", directory);
        }
        final Map<String, Object> config = new LinkedHashMap<>();
        config.put("version", "nio");
        config.put("cluster", Map.of("backplane", "aeron", "node", node, "aeron", aeron));
        return config;
    }

    private RunningServer start(Map<String, Object> config) {
        final RunningServer server = new SummonerServer("aeron-test").start("127.0.0.1", 0, config);
        servers.add(server);
        return server;
    }

    private static String startFailure(Map<String, Object> config) {
        return assertThrows(ServerStartException.class, () -> new SummonerServer("aeron-test").start("127.0.0.1", 0, config))
                .getMessage();
    }

    @Test
    void aNodeNameStartedTwiceOnOneMachineStopsTheSecondAndLeavesTheFirstRunning() {
        final RunningServer first = start(config("twice", "127.0.0.1:" + FreePorts.udp(), "embedded", null));
        final String directory = CommonContext.getAeronDirectoryName() + "-summoner-twice";
        assertEquals("cannot join the cluster as node twice (\"cluster\" in config map): config map: key \"cluster.node\": "
                + "expected a node name this machine runs once, found a media driver already running at " + directory
                + " (is node \"twice\" started twice?)", startFailure(config("twice", "127.0.0.1:" + FreePorts.udp(), "embedded", null)));
        assertTrue(new File(directory).isDirectory(), "the first node's driver kept its directory");
        assertTrue(first.address().getPort() > 0);
        first.close();
        assertFalse(new File(directory).exists(), "its directory is deleted when the node stops");
    }

    @Test
    void anEndpointThisMachineCannotListenOnStopsStartUpNamingTheKey() {
        final String message = startFailure(config("unbound", "192.0.2.1:40000", "embedded", null));
        assertTrue(message.startsWith("cannot join the cluster as node unbound (\"cluster\" in config map): config map: "
                + "key \"cluster.aeron.endpoint\": expected a UDP address this machine can listen on, found 192.0.2.1:40000 ("), message);
        assertTrue(message.contains("Cannot assign requested address"), message);
        assertFalse(new File(CommonContext.getAeronDirectoryName() + "-summoner-unbound").exists(), "its driver stopped");
    }

    @Test
    void anExternalDriverThatIsNotRunningStopsStartUpNamingTheKey() {
        final String directory = System.getProperty("java.io.tmpdir") + "/summoner-no-driver-here";
        assertEquals("cannot join the cluster as node external (\"cluster\" in config map): config map: "
                + "key \"cluster.aeron.directory\": expected the directory of a running media driver, found none running at "
                + directory, startFailure(config("external", "127.0.0.1:" + FreePorts.udp(), "external", directory)));
    }
}
