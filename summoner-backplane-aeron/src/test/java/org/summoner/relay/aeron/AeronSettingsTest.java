package org.summoner.relay.aeron;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.summoner.relay.config.ConfigException;
import org.summoner.relay.config.ConfigSection;
import org.summoner.relay.config.ServerConfig;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code cluster.aeron}, read by the Aeron backplane itself: its values, and exact errors naming the file and the key. */
class AeronSettingsTest {
    private static ConfigSection section(String aeron) {
        return ServerConfig.fromJson(("{\"cluster\": {\"backplane\": \"aeron\", \"node\": \"b\", \"aeron\": " + aeron + "}}")
                .getBytes(StandardCharsets.UTF_8), "server_config.json").cluster().orElseThrow().section();
    }

    @Test
    void endpoints_are_host_and_port_with_ipv6_in_brackets_and_the_driver_embedded_by_default() {
        final AeronSettings settings = AeronSettings.read(section("{\"endpoint\": \"127.0.0.1:40001\", \"peers\": [\"127.0.0.1:40002\", \"[::1]:40003\"]}"));
        assertEquals(new AeronSettings.HostPort("127.0.0.1", 40001), settings.endpoint());
        assertEquals("[::1]:40003", settings.peers().get(1).toString());
        assertTrue(settings.embedded());
        assertEquals(1408, settings.mtu(), "Aeron's own");
        assertEquals(8192, AeronSettings.read(section("{\"endpoint\": \"127.0.0.1:1\", \"peers\": [], \"mtu\": 8192}")).mtu());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"endpoint\":\"127.0.0.1\"} | server_config.json: key \"cluster.aeron.endpoint\": expected this node's UDP endpoint, host:port ([v6]:port for an IPv6 address), port 1 to 65535, found \"127.0.0.1\"",
            "{\"endpoint\":\"127.0.0.1:1\"} | server_config.json: key \"cluster.aeron.peers\": expected a list of the other nodes' endpoints, each host:port ([v6]:port for an IPv6 address), port 1 to 65535, found null",
            "{\"endpoint\":\"127.0.0.1:1\",\"peers\":[\"127.0.0.1:1\"]} | server_config.json: key \"cluster.aeron.peers\": expected a list of the other nodes' endpoints, each host:port ([v6]:port for an IPv6 address), port 1 to 65535, none twice nor this node's own (127.0.0.1:1), found [\"127.0.0.1:1\"]",
            "{\"endpoint\":\"127.0.0.1:1\",\"peers\":[],\"mtu\":1500} | server_config.json: key \"cluster.aeron.mtu\": expected a multiple of 32 from 576 to 65504 (Aeron's frame alignment), found 1500",
            "{\"endpoint\":\"127.0.0.1:1\",\"peers\":[],\"mtu\":70000} | server_config.json: key \"cluster.aeron.mtu\": expected an integer from 576 to 65504, found 70000",
            "{\"endpoint\":\"127.0.0.1:1\",\"peers\":[],\"driver\":\"external\"} | server_config.json: key \"cluster.aeron.directory\": expected the external media driver's directory (aeron.dir), found null",
    })
    void a_wrong_value_stops_start_up_naming_the_file_and_the_key(String aeron, String message) {
        assertEquals(message, assertThrows(ConfigException.class, () -> AeronSettings.read(section(aeron))).getMessage());
    }
}
