package org.summoner.relay.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which keys a reload applies, which it names as needing a restart, and the configuration it goes on with. */
class ConfigReloadTest {
    private static ServerConfig read(String json) {
        return ServerConfig.fromJson(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), "server_config.json");
    }

    @Test
    void the_same_file_changes_nothing() {
        final String json = "{\"port\": 9000, \"hyper_parameters\": {\"peer_trust\": {\"deny_networks\": [\"10.0.0.0/8\"]},"
                + " \"dedicated_relay\": {\"communication_graph\": {}}}, \"logger\": {\"log_keys\": [\"a\"]}, \"netty\": {\"transport\": \"nio\"}}";
        final ConfigReload reload = ConfigReload.compare(read(json), read(json));
        assertEquals(List.of(), reload.applied());
        assertEquals(List.of(), reload.needRestart());
    }

    @Test
    void live_keys_take_their_new_values_and_the_others_keep_the_running_ones() {
        final ServerConfig running = read("{\"port\": 9000, \"version\": \"nio\", \"hyper_parameters\": {\"worker_threads\": 2}}");
        final ServerConfig next = read("{\"port\": 9001, \"version\": \"netty\", \"netty\": {}, \"monitoring\": {\"port\": 0},"
                + " \"logger\": {\"log_level\": \"DEBUG\"}, \"hyper_parameters\": {\"worker_threads\": 3, \"routing\": \"dedicated\","
                + " \"rate_limit_msgs_per_minute\": 5, \"client_timeout_secs\": 30, \"max_connections\": 9,"
                + " \"peer_trust\": {\"trusted_networks\": []}, \"handshake\": {\"timeout_secs\": 3},"
                + " \"backpressure_policy\": {\"disconnect_threshold\": 50}, \"dedicated_relay\": {\"replay\": {\"window_secs\": 9},"
                + " \"allowed_fingerprints\": null, \"policy\": {\"reject_unknown_receiver\": false}}}}");
        final ConfigReload reload = ConfigReload.compare(running, next);
        assertEquals(List.of("hyper_parameters.backpressure_policy.disconnect_threshold", "hyper_parameters.client_timeout_secs",
                "hyper_parameters.dedicated_relay.policy.reject_unknown_receiver", "hyper_parameters.handshake.timeout_secs",
                "hyper_parameters.max_connections", "hyper_parameters.peer_trust.trusted_networks",
                "hyper_parameters.rate_limit_msgs_per_minute", "logger.log_level"), reload.applied());
        assertEquals(List.of("hyper_parameters.dedicated_relay.replay.window_secs", "hyper_parameters.routing",
                "hyper_parameters.worker_threads", "monitoring", "netty", "port", "version"), reload.needRestart());

        final ServerConfig effective = reload.effective();
        assertEquals(9000, effective.port().getAsInt());
        assertEquals("nio", effective.version().get());
        assertFalse(effective.monitoring().enabled());
        final HyperParameters p = effective.hyperParameters();
        assertEquals(2, p.workerThreads());
        assertEquals(RoutingMode.BROADCAST, p.routing().mode());
        assertEquals(running.hyperParameters().routing().dedicated().replay(), p.routing().dedicated().replay());
        assertEquals(5, p.rateLimitMsgsPerMinute());
        assertEquals(30, p.clientTimeoutSecs().getAsLong());
        assertTrue(p.peerTrust().trustedNetworks().isEmpty());
        assertFalse(p.routing().dedicated().policy().rejectUnknownReceiver());
        assertEquals("DEBUG", effective.logger().logLevel());
        assertSame(next.warnings(), effective.warnings());
    }

    @TempDir
    Path dir;

    @Test
    void turning_tls_on_or_off_needs_a_restart_and_new_material_at_the_same_paths_applies() throws Exception {
        final Map<String, Object> files = TlsFiles.section(dir);
        final String tls = "{\"tls\": {\"cert\": \"" + files.get("cert") + "\", \"key\": \"" + files.get("key") + "\"}}";
        final ServerConfig plain = read("{}");
        final ServerConfig withTls = read(tls);
        final ConfigReload on = ConfigReload.compare(plain, withTls);
        assertEquals(List.of("tls"), on.needRestart());
        assertTrue(on.effective().tls().isEmpty(), "still plain TCP");
        assertEquals(List.of("tls"), ConfigReload.compare(withTls, plain).needRestart());

        final ConfigReload same = ConfigReload.compare(withTls, read(tls));
        assertEquals(List.of(), same.applied(), "the same material read again is no change");
        final ConfigReload longer = ConfigReload.compare(withTls, read(tls.replace("}}", ", \"handshake_timeout_secs\": 30}}")));
        assertEquals(List.of("tls.handshake_timeout_secs"), longer.applied());
        assertEquals(30, longer.effective().tls().orElseThrow().handshakeTimeoutSecs());
    }

    @Test
    void on_a_node_of_a_cluster_the_settings_every_node_must_agree_on_need_a_restart() {
        final String node = "\"cluster\": {\"backplane\": \"nats\", \"node\": \"a\"}";
        final ConfigReload reload = ConfigReload.compare(read("{" + node + "}"), read("{" + node + ", \"hyper_parameters\": {"
                + "\"handshake\": {\"required\": true}, \"peer_trust\": {\"deny_networks\": [\"10.0.0.0/8\"]}}}"));
        assertEquals(List.of("hyper_parameters.peer_trust.deny_networks"), reload.applied());
        assertEquals(List.of("hyper_parameters.handshake.required"), reload.needRestart());
        assertFalse(reload.effective().hyperParameters().handshake().required());
    }

    @Test
    void a_key_is_live_when_it_or_a_section_above_it_is_listed() {
        assertTrue(ConfigReload.isLive("tls.cert"));
        assertFalse(ConfigReload.isLive("tls"));
        assertTrue(ConfigReload.isLive("hyper_parameters.peer_trust.deny_networks"));
        assertFalse(ConfigReload.isLive("hyper_parameters.peer_trustee"));
        assertFalse(ConfigReload.isLive("hyper_parameters.dedicated_relay.paths.envelope_root"));
    }
}
