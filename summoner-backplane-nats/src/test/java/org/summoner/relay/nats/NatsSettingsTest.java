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
        assertEquals(new NatsSettings(List.of("tls://n1:4222"), "summoner", NatsSettings.Auth.NONE, NatsTls.DEFAULT), NatsSettings.read(nats));
        assertEquals(1, nats.warnings().size(), nats.warnings().toString());
        assertEquals(true, nats.warnings().get(0).contains("cluster.nats.sever"), nats.warnings().toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"servers\":[]}            | server_config.json: key \"cluster.nats.servers\": expected a non-empty list of NATS server URLs, e.g. [\"nats://127.0.0.1:4222\"], found []",
            "{\"servers\":[\"http://x\"]} | server_config.json: key \"cluster.nats.servers\": expected a non-empty list of NATS server URLs, e.g. [\"nats://127.0.0.1:4222\"] (http://x is none), found [\"http://x\"]",
            "{\"subject_prefix\":\"a.*\"} | server_config.json: key \"cluster.nats.subject_prefix\": expected NATS subject tokens separated by \".\", each of letters, digits, \"-\" or \"_\", found \"a.*\"",
            "[1]                         | server_config.json: key \"cluster.nats\": expected a JSON object, found [1]",
            "{\"user\":\"u\"}              | server_config.json: key \"cluster.nats.password\": expected \"user\" and \"password\" together, found a user without a password",
            "{\"password\":\"p\"}          | server_config.json: key \"cluster.nats.user\": expected \"user\" and \"password\" together, found a password without a user",
            "{\"token\":\"t\",\"user\":\"u\",\"password\":\"p\"} | server_config.json: key \"cluster.nats.token\": expected one way to authenticate to NATS: \"user\" and \"password\", \"token\" or \"credentials_file\", found 2 of them",
            "{\"token\":\"\"}              | server_config.json: key \"cluster.nats.token\": expected a non-empty token, found an empty one",
            "{\"servers\":[\"ws://n1:80\"],\"tls\":{}} | server_config.json: key \"cluster.nats.servers\": expected wss:// for a websocket when the connection is TLS (cluster.nats.tls or a tls:// URL): jnats speaks plaintext over ws:// whatever its TLS settings, found [\"ws://n1:80\"]",
            "{\"servers\":[\"tls://n1:4222\",\"ws://n2:80\"]} | server_config.json: key \"cluster.nats.servers\": expected wss:// for a websocket when the connection is TLS (cluster.nats.tls or a tls:// URL): jnats speaks plaintext over ws:// whatever its TLS settings, found [\"tls://n1:4222\",\"ws://n2:80\"]",
            "{\"tls\":true}                | server_config.json: key \"cluster.nats.tls\": expected a JSON object, found true",
            "{\"tls\":{\"ca\":\"\"}}         | server_config.json: key \"cluster.nats.tls.ca\": expected the path of a PEM file, found \"\"",
            "{\"tls\":{\"ca\":\"/no/ca.pem\"}} | server_config.json: key \"cluster.nats.tls.ca\": expected a readable PEM file, found no file at /no/ca.pem",
            "{\"tls\":{\"cert\":\"/no/c.pem\"}} | server_config.json: key \"cluster.nats.tls.key\": expected \"cert\" and \"key\" together, found a certificate without a key",
            "{\"tls\":{\"key\":\"/no/k.pem\"}} | server_config.json: key \"cluster.nats.tls.cert\": expected \"cert\" and \"key\" together, found a key without a certificate",
            "{\"credentials_file\":\"/no/such.creds\"} | server_config.json: key \"cluster.nats.credentials_file\": expected a NATS credentials file (a user JWT and its nkey seed), found no file at /no/such.creds",
    })
    void a_wrong_value_stops_start_up_naming_the_file_and_the_key(String nats, String message) {
        assertEquals(message, assertThrows(ConfigException.class,
                () -> NatsSettings.read(section("{\"backplane\": \"nats\", \"node\": \"a\", \"nats\": " + nats + "}"))).getMessage());
    }

    @Test
    void credentials_are_read_and_never_shown() {
        final NatsSettings settings = NatsSettings.read(section("{\"backplane\": \"nats\", \"node\": \"a\", \"nats\": "
                + "{\"user\": \"relay\", \"password\": \"s3cret\"}}"));
        assertEquals(new NatsSettings.Auth("relay", "s3cret", null, null), settings.auth());
        assertEquals(false, settings.toString().contains("s3cret"), settings.toString());
        assertEquals(false, NatsSettings.read(section("{\"backplane\": \"nats\", \"node\": \"a\", \"nats\": {\"token\": \"t0k\"}}"))
                .toString().contains("t0k"));
    }
}
