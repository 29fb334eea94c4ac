package org.summoner.relay.nats;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.summoner.relay.config.ConfigException;
import org.summoner.relay.config.ConfigSection;
import org.summoner.relay.config.ServerConfig;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@code cluster.nats}, read by the NATS backplane itself: defaults, and exact errors naming the file and the key. */
class NatsSettingsTest {
    private static ConfigSection section(String cluster) {
        return ServerConfig.fromJson(("{\"cluster\": " + cluster + "}").getBytes(StandardCharsets.UTF_8), "server_config.json")
                .cluster().orElseThrow().section();
    }

    @Test
    void an_absent_section_is_every_default() {
        assertEquals(new NatsSettings(List.of("nats://127.0.0.1:4222"), "summoner"),
                NatsSettings.read(section("{\"backplane\": \"nats\", \"node\": \"a\"}")));
    }

    @Test
    void a_key_the_backplane_does_not_know_is_a_warning_naming_it() {
        final ConfigSection nats = section("{\"backplane\": \"nats\", \"node\": \"a\", \"nats\": {\"servers\": [\"tls://n1:4222\"], \"sever\": 1}}");
        assertEquals(new NatsSettings(List.of("tls://n1:4222"), "summoner"), NatsSettings.read(nats));
        assertEquals(1, nats.warnings().size(), nats.warnings().toString());
        assertEquals(true, nats.warnings().get(0).contains("cluster.nats.sever"), nats.warnings().toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"servers\":[]}            | server_config.json: key \"cluster.nats.servers\": expected a non-empty list of NATS server URLs, e.g. [\"nats://127.0.0.1:4222\"], found []",
            "{\"servers\":[\"http://x\"]} | server_config.json: key \"cluster.nats.servers\": expected a non-empty list of NATS server URLs, e.g. [\"nats://127.0.0.1:4222\"] (http://x is none), found [\"http://x\"]",
            "{\"subject_prefix\":\"a.*\"} | server_config.json: key \"cluster.nats.subject_prefix\": expected NATS subject tokens separated by \".\", each of letters, digits, \"-\" or \"_\", found \"a.*\"",
            "[1]                         | server_config.json: key \"cluster.nats\": expected a JSON object, found [1]",
    })
    void a_wrong_value_stops_start_up_naming_the_file_and_the_key(String nats, String message) {
        assertEquals(message, assertThrows(ConfigException.class,
                () -> NatsSettings.read(section("{\"backplane\": \"nats\", \"node\": \"a\", \"nats\": " + nats + "}"))).getMessage());
    }
}
