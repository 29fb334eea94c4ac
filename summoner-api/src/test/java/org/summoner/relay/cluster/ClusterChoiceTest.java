package org.summoner.relay.cluster;

import org.junit.jupiter.api.Test;
import org.summoner.relay.config.ClusterSettings;
import org.summoner.relay.config.ServerConfig;
import org.summoner.relay.core.RelayCore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** How a node finds its backplane: by name among the providers on the class path, as engines are found. */
class ClusterChoiceTest {
    private static String failure(String backplane) {
        final RelayCore core = RelayCore.of(ServerConfig.defaults());
        return assertThrows(IllegalArgumentException.class,
                () -> Cluster.of(core, new ClusterSettings(backplane, "a", null, "server_config.json", null))).getMessage();
    }

    @Test
    void two_backplanes_of_one_name_stop_start_up_naming_both_classes() {
        assertEquals("server_config.json: key \"cluster.backplane\": two backplanes on the class path are named \"twin\": "
                + "org.summoner.relay.cluster.TwinBackplaneProviders$First and org.summoner.relay.cluster.TwinBackplaneProviders$Second; "
                + "remove one of the jars", failure("twin"));
    }

    @Test
    void a_name_no_backplane_has_lists_those_there_are() {
        assertEquals("server_config.json: key \"cluster.backplane\": expected the name of a backplane on the class path "
                + "(fuzz, twin, twin, recording), found \"nats\"", failure("nats"));
    }
}
