package org.summoner.relay.config;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerConfigTest {

    private static ServerConfig json(String text) {
        return ServerConfig.fromJson(text.getBytes(StandardCharsets.UTF_8), "server_config.json");
    }

    private static String error(String text) {
        return assertThrows(ConfigException.class, () -> json(text)).getMessage();
    }

    @Nested
    class Defaults {
        @Test
        void an_empty_object_leaves_host_port_and_version_unset() {
            final ServerConfig config = json("{}");
            assertTrue(config.host().isEmpty());
            assertEquals(OptionalInt.empty(), config.port());
            assertTrue(config.version().isEmpty());
            assertEquals("127.0.0.1", config.bindHost(ServerConfig.DEFAULT_HOST));
            assertEquals(8888, config.bindPort(ServerConfig.DEFAULT_PORT));
            assertEquals(List.of(), config.warnings());
        }

        @Test
        void cluster_keeps_the_chosen_backplanes_section_for_the_backplane_to_read() {
            assertTrue(json("{}").cluster().isEmpty());
            final ClusterSettings cluster = json("{\"cluster\": {\"backplane\": \"nats\", \"node\": \"node-a\", "
                    + "\"nats\": {\"subject_prefix\": \"x\"}}}").cluster().orElseThrow();
            assertEquals("node-a", cluster.node());
            assertEquals("nats", cluster.backplane());
            assertEquals("cluster.nats.", cluster.section().path());
            assertEquals("x", cluster.section().string("subject_prefix", "summoner"));
            final ClusterSettings absent = json("{\"cluster\": {\"backplane\": \"aeron\", \"node\": \"b\"}}").cluster().orElseThrow();
            assertEquals("embedded", absent.section().string("driver", "embedded"), "an absent section has every default");
        }

        @Test
        void monitoring_is_off_unless_a_port_is_set() {
            assertEquals(Monitoring.OFF, json("{}").monitoring());
            assertFalse(json("{\"monitoring\": {\"port\": null}}").monitoring().enabled());
            assertEquals(new Monitoring("127.0.0.1", 0), json("{\"monitoring\": {\"port\": 0}}").monitoring());
            assertEquals(new Monitoring("0.0.0.0", 9090), json("{\"monitoring\": {\"host\": \"0.0.0.0\", \"port\": 9090}}").monitoring());
        }

        @Test
        void hyper_parameters_default_to_the_reference_values() {
            final HyperParameters p = ServerConfig.defaults().hyperParameters();
            assertEquals(128, p.connectionBufferSize());
            assertEquals(32, p.commandBufferSize());
            assertEquals(8, p.controlChannelCapacity());
            assertEquals(100, p.queueMonitorCapacity());
            assertEquals(OptionalLong.empty(), p.clientTimeoutSecs(), "silence closes nobody unless it is set");
            assertEquals(new TcpKeepalive(60, 15, 4), p.tcpKeepalive());
            assertEquals(300, p.rateLimitMsgsPerMinute());
            assertEquals(30, p.timeoutCheckIntervalSecs());
            assertEquals(200, p.throttleDelayMs());
            assertEquals(1000, p.flowControlDelayMs());
            assertEquals(new BackpressurePolicy(true, 100, true, 300, true, 500), p.backpressurePolicy());
            assertEquals(300, p.quarantineCooldownSecs());
            assertEquals(60, p.quarantineCleanupIntervalSecs());
            assertEquals(100, p.acceptErrorBackoffMs());
            assertEquals(Math.max(1, Runtime.getRuntime().availableProcessors() - 1), p.workerThreads());
            assertEquals(65536, p.maxLineBytes());
            assertEquals(65536, p.maxEnvelopeBytes());
            assertEquals(List.of("127.0.0.0/8", "::1/128"), p.peerTrust().trustedNetworks().texts());
            assertEquals(16L * 1024 * 1024, p.maxQueuedBytes());
            assertEquals(10_000, p.maxConnections());
            assertEquals(0, p.maxConnectionsPerIp());
        }

        @Test
        void logger_defaults_to_info_on_the_console() {
            final LoggerSettings l = ServerConfig.defaults().logger();
            assertEquals("INFO", l.logLevel());
            assertTrue(l.enableConsoleLog());
            assertEquals("%(asctime)s - %(name)s - %(levelname)s - %(message)s", l.consoleLogFormat());
            assertFalse(l.enableFileLog());
            assertFalse(l.enableJsonLog());
            assertEquals("%Y-%m-%d %H:%M:%S.%3f", l.dateFormat());
            assertEquals(1_000_000, l.maxFileSize());
            assertEquals(3, l.backupCount());
            assertNull(l.logKeys());
        }

        @Test
        void null_values_mean_the_default_except_client_timeout_where_null_means_never() {
            final ServerConfig config = json("{\"host\":null,\"port\":null,\"logger\":null,"
                    + "\"hyper_parameters\":{\"worker_threads\":null,\"client_timeout_secs\":null,\"backpressure_policy\":null}}");
            assertTrue(config.host().isEmpty());
            assertEquals(OptionalInt.empty(), config.port());
            assertEquals(ServerConfig.defaults().hyperParameters().workerThreads(), config.hyperParameters().workerThreads());
            assertEquals(OptionalLong.empty(), config.hyperParameters().clientTimeoutSecs());
        }

        @Test
        void tcp_keepalive_takes_each_timer_defaults_the_others_and_null_turns_it_off() {
            assertEquals(new TcpKeepalive(5, 15, 4), json("{\"hyper_parameters\":{\"tcp_keepalive\":{\"idle_secs\":5}}}").hyperParameters().tcpKeepalive());
            assertEquals(new TcpKeepalive(60, 2, 9), json("{\"hyper_parameters\":{\"tcp_keepalive\":{\"interval_secs\":2,\"count\":9}}}")
                    .hyperParameters().tcpKeepalive());
            assertNull(json("{\"hyper_parameters\":{\"tcp_keepalive\":null}}").hyperParameters().tcpKeepalive());
            assertEquals(120, TcpKeepalive.DEFAULT.boundSecs(), "a vanished peer is freed within 2 minutes by default");
        }
    }

    @Nested
    class Reading {
        @Test
        void a_full_reference_style_file_is_read_without_warnings() {
            final ServerConfig config = json("""
                    {
                      "host": "0.0.0.0",
                      "port": 5555,
                      "version": "rss_3",
                      "logger": {
                        "log_level": "DEBUG",
                        "enable_console_log": true,
                        "console_log_format": "\\u001b[92m%(asctime)s\\u001b[0m - %(name)s - %(levelname)s - %(message)s",
                        "enable_file_log": true,
                        "enable_json_log": false,
                        "log_file_path": "logs/",
                        "log_format": "%(asctime)s - %(name)s - %(levelname)s - %(message)s",
                        "max_file_size": 1000000,
                        "backup_count": 3,
                        "date_format": "%Y-%m-%d %H:%M:%S.%3f",
                        "log_keys": ["from", "to"]
                      },
                      "hyper_parameters": {
                        "connection_buffer_size": 256,
                        "command_buffer_size": 64,
                        "control_channel_capacity": 16,
                        "queue_monitor_capacity": 100,
                        "client_timeout_secs": 600,
                        "rate_limit_msgs_per_minute": 1000,
                        "timeout_check_interval_secs": 60,
                        "accept_error_backoff_ms": 100,
                        "quarantine_cooldown_secs": 600,
                        "quarantine_cleanup_interval_secs": 60,
                        "throttle_delay_ms": 100,
                        "flow_control_delay_ms": 1000,
                        "worker_threads": 4,
                        "backpressure_policy": {
                          "enable_throttle": true,
                          "throttle_threshold": 100,
                          "enable_flow_control": true,
                          "flow_control_threshold": 300,
                          "enable_disconnect": false,
                          "disconnect_threshold": 500
                        }
                      }
                    }
                    """);
            assertEquals(List.of(), config.warnings());
            assertEquals("0.0.0.0", config.bindHost("127.0.0.1"));
            assertEquals(5555, config.bindPort(1234));
            assertEquals("rss_3", config.version().orElseThrow());
            assertEquals("DEBUG", config.logger().logLevel());
            assertEquals(List.of("from", "to"), config.logger().logKeys());
            assertEquals(4, config.hyperParameters().workerThreads());
            assertEquals(OptionalLong.of(600), config.hyperParameters().clientTimeoutSecs());
            assertFalse(config.hyperParameters().backpressurePolicy().enableDisconnect());
        }

        /** A dedicated_relay section written with every key of Summoner's plan, as SPEC section 7 lists them. */
        @Test
        void a_dedicated_relay_section_as_summoners_plan_writes_it_is_read_without_warnings() {
            final ServerConfig config = json("""
                    {
                      "version": "rss_3",
                      "hyper_parameters": {
                        "dedicated_relay": {
                          "enabled": true,
                          "validation_adapter": "aurora",
                          "allowed_fingerprints": ["%A%", "%B%"],
                          "communication_graph": {"%A%": ["%B%"], "%B%": ["%A%"]},
                          "paths": {
                            "envelope_root": "_payload",
                            "sender_identity": "from",
                            "receiver_identity": "to",
                            "envelope_signature": "sig",
                            "sender_signing_key": "from.pub_sig_b64",
                            "sender_identity_signature": "from.sig"
                          },
                          "policy": {
                            "allow_null_receiver_binding": true,
                            "reject_unknown_receiver": true,
                            "reject_when_receiver_disconnected": false
                          },
                          "invalid_attempts": {
                            "enabled": true,
                            "window_secs": 60,
                            "throttle_threshold": 3,
                            "flow_control_threshold": 6,
                            "disconnect_threshold": 10,
                            "quarantine_threshold": 12,
                            "quarantine_secs": 600,
                            "max_entries": 10000
                          },
                          "firewall": {"enabled": false, "backend": "nftables"}
                        }
                      }
                    }
                    """.replace("%A%", "AAAAAAAAAAAAAAAAAAAAAA").replace("%B%", "BBBBBBBBBBBBBBBBBBBBB_"));
            assertEquals(List.of(), config.warnings());
            final Routing routing = config.hyperParameters().routing();
            assertEquals(RoutingMode.DEDICATED, routing.mode(), "enabled without routing means dedicated");
            assertEquals("_payload", routing.dedicated().paths().envelopeRoot());
            assertEquals(java.util.Set.of("BBBBBBBBBBBBBBBBBBBBB_"), routing.dedicated().communicationGraph().get("AAAAAAAAAAAAAAAAAAAAAA"));
            assertEquals(10, routing.dedicated().invalidAttempts().disconnectThreshold());
            assertEquals(RoutingMode.BROADCAST, ServerConfig.defaults().hyperParameters().routing().mode());
            assertEquals(RoutingMode.DEDICATED, json("{\"hyper_parameters\":{\"routing\":\"dedicated\"}}").hyperParameters().routing().mode());
        }

        @Test
        void hosted_hybrid_peer_trust_and_handshake_are_read_with_their_defaults() {
            final HyperParameters defaults = ServerConfig.defaults().hyperParameters();
            assertEquals(new Handshake(false, true, 10), defaults.handshake());
            assertNull(defaults.peerTrust().allowNetworks(), "null: every address may connect");
            assertTrue(defaults.peerTrust().denyNetworks().isEmpty());
            assertNull(defaults.peerTrust().allowedFingerprints(), "null: any verified identity may bind");
            assertEquals(java.util.Set.of(), defaults.routing().hostFingerprints());

            final ServerConfig hosted = json("""
                    {"hyper_parameters": {
                      "routing": "hosted",
                      "hosted_relay": {"host_fingerprints": ["%A%"]},
                      "peer_trust": {"allow_networks": ["127.0.0.0/8", "::ffff:10.0.0.0/104"], "deny_networks": ["127.6.6.6"],
                                     "allowed_fingerprints": ["%A%", "%B%"]},
                      "handshake": {"required": true, "challenge": false, "timeout_secs": 3}
                    }}
                    """.replace("%A%", "AAAAAAAAAAAAAAAAAAAAAA").replace("%B%", "BBBBBBBBBBBBBBBBBBBBB_"));
            assertEquals(List.of(), hosted.warnings());
            final HyperParameters p = hosted.hyperParameters();
            assertEquals(RoutingMode.HOSTED, p.routing().mode());
            assertEquals(java.util.Set.of("AAAAAAAAAAAAAAAAAAAAAA"), p.routing().hostFingerprints());
            assertEquals(List.of("127.0.0.0/8", "::ffff:10.0.0.0/104"), p.peerTrust().allowNetworks().texts());
            assertEquals(List.of("127.6.6.6"), p.peerTrust().denyNetworks().texts());
            assertEquals(java.util.Set.of("AAAAAAAAAAAAAAAAAAAAAA", "BBBBBBBBBBBBBBBBBBBBB_"), p.peerTrust().allowedFingerprints());
            assertEquals(new Handshake(true, false, 3), p.handshake());
            assertEquals(RoutingMode.HYBRID, json("{\"hyper_parameters\":{\"routing\":\"hybrid\"}}").hyperParameters().routing().mode(),
                    "hybrid needs no host");
        }

        @Test
        void host_fingerprints_outside_hosted_and_hybrid_are_a_warning() {
            final ServerConfig config = json("{\"hyper_parameters\":{\"hosted_relay\":{\"host_fingerprints\":[\"AAAAAAAAAAAAAAAAAAAAAA\"]}}}");
            assertEquals(List.of("server_config.json: key \"hyper_parameters.hosted_relay.host_fingerprints\" is read only with "
                    + "\"routing\": \"hosted\" or \"hybrid\"; ignored"), config.warnings());
            assertEquals(RoutingMode.BROADCAST, config.hyperParameters().routing().mode());
        }

        @Test
        void trusted_networks_can_be_emptied_or_replaced() {
            assertTrue(json("{\"hyper_parameters\":{\"peer_trust\":{\"trusted_networks\":[]}}}")
                    .hyperParameters().peerTrust().trustedNetworks().isEmpty());
            assertEquals(List.of("10.0.0.0/8", "fd00::/8"), json("{\"hyper_parameters\":{\"peer_trust\":{\"trusted_networks\":[\"10.0.0.0/8\",\"fd00::/8\"]}}}")
                    .hyperParameters().peerTrust().trustedNetworks().texts());
            assertEquals(List.of("127.0.0.0/8", "::1/128"), json("{\"hyper_parameters\":{\"peer_trust\":{\"trusted_networks\":null}}}")
                    .hyperParameters().peerTrust().trustedNetworks().texts());
        }

        @Test
        void an_in_memory_map_has_the_shape_of_the_file() {
            final Map<String, Object> map = new LinkedHashMap<>();
            map.put("port", 1234);
            map.put("hyper_parameters", Map.of("max_line_bytes", 1024, "backpressure_policy", Map.of("disconnect_threshold", 7)));
            final ServerConfig config = ServerConfig.fromMap(map);
            assertEquals(1234, config.bindPort(8888));
            assertEquals(1024, config.hyperParameters().maxLineBytes());
            assertEquals(7, config.hyperParameters().backpressurePolicy().disconnectThreshold());
            assertEquals("config map", config.source());
        }

        @Test
        void unknown_keys_are_warnings_that_name_source_and_key() {
            final ServerConfig config = json("{\"reconnection\":{},\"hyper_parameters\":{\"turbo\":1,\"backpressure_policy\":{\"x\":2}}}");
            assertEquals(List.of(
                    "server_config.json: unknown key \"hyper_parameters.backpressure_policy.x\" ignored",
                    "server_config.json: unknown key \"hyper_parameters.turbo\" ignored",
                    "server_config.json: unknown key \"reconnection\" ignored"), config.warnings());
        }

        @Test
        void an_engines_own_section_is_read_with_the_same_checks_and_is_not_unknown_to_it() {
            final ServerConfig config = json("{\"agrona\":{\"idle_strategy\":\"sleeping\",\"io_threads\":3,\"extra\":1},"
                    + "\"reconnection\":{}}");
            assertEquals(List.of("server_config.json: unknown key \"reconnection\" ignored"), config.warningsExcept(Set.of("agrona")));
            assertEquals(2, config.warnings().size(), "without engines, both keys are unknown");

            final ConfigSection agrona = config.section("agrona");
            assertEquals("sleeping", agrona.string("idle_strategy", "backoff"));
            assertEquals(3, agrona.integer("io_threads", 1, 1, 64));
            assertEquals(4096, agrona.integer("ring_bytes", 4096, 1, Long.MAX_VALUE), "absent: the default");
            agrona.warnUnknown();
            assertEquals(List.of("server_config.json: unknown key \"agrona.extra\" ignored"), agrona.warnings());
            assertEquals("server_config.json: key \"agrona.io_threads\": expected an integer from 1 to 2, found 3",
                    assertThrows(ConfigException.class, () -> config.section("agrona").integer("io_threads", 1, 1, 2)).getMessage());
            assertEquals("server_config.json: key \"agrona.idle_strategy\": expected one of backoff, busy-spin, found \"sleeping\"",
                    config.section("agrona").invalid("idle_strategy", "one of backoff, busy-spin").getMessage());
        }

        @Test
        void an_absent_engine_section_has_every_default_and_one_that_is_not_an_object_is_an_error() {
            assertEquals("backoff", json("{}").section("agrona").string("idle_strategy", "backoff"));
            assertEquals("server_config.json: key \"agrona\": expected a JSON object, found 5",
                    assertThrows(ConfigException.class, () -> json("{\"agrona\":5}").section("agrona")).getMessage());
        }

        @Test
        void log_level_accepts_python_and_java_names_in_any_case() {
            assertEquals("WARNING", json("{\"logger\":{\"log_level\":\"warning\"}}").logger().logLevel());
            assertEquals("WARN", json("{\"logger\":{\"log_level\":\"Warn\"}}").logger().logLevel());
        }

        @Test
        void withers_override_what_the_file_said(@TempDir Path dir) throws Exception {
            final Path file = dir.resolve("server_config.json");
            Files.writeString(file, "{\"host\":\"10.0.0.1\",\"port\":1,\"version\":\"python\"}");
            final ServerConfig config = ServerConfig.fromFile(file).withHost("127.0.0.1").withPort(2).withVersion("rss_3");
            assertEquals("127.0.0.1", config.bindHost("x"));
            assertEquals(2, config.bindPort(3));
            assertEquals("rss_3", config.version().orElseThrow());
            assertEquals(file.toString(), config.source());
        }
    }

    @Nested
    class Errors {
        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
                "{\"port\":70000}                                       | server_config.json: key \"port\": expected an integer from 0 to 65535, found 70000",
                "{\"monitoring\":{\"port\":70000}}                      | server_config.json: key \"monitoring.port\": expected an integer from 0 to 65535, found 70000",
                "{\"monitoring\":{\"port\":\"9090\"}}                   | server_config.json: key \"monitoring.port\": expected an integer from 0 to 65535, found \"9090\"",
                "{\"monitoring\":{\"host\":\" \",\"port\":9090}}         | server_config.json: key \"monitoring.host\": expected a host name or IP address, found \" \"",
                "{\"cluster\":{\"node\":\"a\"}}                        | server_config.json: key \"cluster.backplane\": expected the name of a backplane: \"nats\" or \"aeron\", found null",
                "{\"cluster\":{\"backplane\":\"nats\",\"node\":\"a b\"}} | server_config.json: key \"cluster.node\": expected this node's name, unique in the cluster: 1 to 64 letters, digits, \"-\" or \"_\", found \"a b\"",
                "{\"monitoring\":9090}                                  | server_config.json: key \"monitoring\": expected a JSON object, found 9090",
                "{\"port\":-1}                                          | server_config.json: key \"port\": expected an integer from 0 to 65535, found -1",
                "{\"port\":\"8888\"}                                    | server_config.json: key \"port\": expected an integer from 0 to 65535, found \"8888\"",
                "{\"port\":8888.5}                                      | server_config.json: key \"port\": expected an integer from 0 to 65535, found 8888.5",
                "{\"host\":\"\"}                                        | server_config.json: key \"host\": expected a host name or IP address, found \"\"",
                "{\"host\":42}                                          | server_config.json: key \"host\": expected a string, found 42",
                "{\"version\":3}                                        | server_config.json: key \"version\": expected a string, found 3",
                "{\"logger\":[]}                                        | server_config.json: key \"logger\": expected a JSON object, found []",
                "{\"logger\":{\"log_level\":\"LOUD\"}}                  | server_config.json: key \"logger.log_level\": expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL, found \"LOUD\"",
                "{\"logger\":{\"enable_file_log\":\"yes\"}}             | server_config.json: key \"logger.enable_file_log\": expected true or false, found \"yes\"",
                "{\"logger\":{\"log_keys\":\"a\"}}                      | server_config.json: key \"logger.log_keys\": expected null or a list of strings, found \"a\"",
                "{\"logger\":{\"log_keys\":[\"a\",1]}}                  | server_config.json: key \"logger.log_keys\": expected null or a list of strings, found [\"a\",1]",
                "{\"logger\":{\"max_file_size\":0}}                     | server_config.json: key \"logger.max_file_size\": expected a positive integer, found 0",
                "{\"hyper_parameters\":{\"worker_threads\":0}}          | server_config.json: key \"hyper_parameters.worker_threads\": expected an integer from 1 to 1024, found 0",
                "{\"hyper_parameters\":{\"rate_limit_msgs_per_minute\":-5}} | server_config.json: key \"hyper_parameters.rate_limit_msgs_per_minute\": expected a positive integer, found -5",
                "{\"hyper_parameters\":{\"client_timeout_secs\":0}}     | server_config.json: key \"hyper_parameters.client_timeout_secs\": expected a positive integer or null, found 0",
                "{\"hyper_parameters\":{\"tcp_keepalive\":true}}     | server_config.json: key \"hyper_parameters.tcp_keepalive\": expected a JSON object, found true",
                "{\"hyper_parameters\":{\"tcp_keepalive\":{\"idle_secs\":0}}} | server_config.json: key \"hyper_parameters.tcp_keepalive.idle_secs\": expected an integer from 1 to 32767, found 0",
                "{\"hyper_parameters\":{\"tcp_keepalive\":{\"count\":128}}} | server_config.json: key \"hyper_parameters.tcp_keepalive.count\": expected an integer from 1 to 127, found 128",
                "{\"hyper_parameters\":{\"accept_error_backoff_ms\":-1}} | server_config.json: key \"hyper_parameters.accept_error_backoff_ms\": expected a non-negative integer, found -1",
                "{\"hyper_parameters\":{\"max_line_bytes\":0}}          | server_config.json: key \"hyper_parameters.max_line_bytes\": expected an integer from 1 to 16777216, found 0",
                "{\"hyper_parameters\":{\"max_envelope_bytes\":255}}    | server_config.json: key \"hyper_parameters.max_envelope_bytes\": expected an integer from 256 to 16777216, found 255",
                "{\"hyper_parameters\":{\"max_envelope_bytes\":16777217}} | server_config.json: key \"hyper_parameters.max_envelope_bytes\": expected an integer from 256 to 16777216, found 16777217",
                "{\"hyper_parameters\":{\"peer_trust\":{\"trusted_networks\":[\"127.0.0.0/8\",\"10.0.0.0/33\"]}}} | server_config.json: key \"hyper_parameters.peer_trust.trusted_networks\": expected a list of networks such as \"10.0.0.0/8\" or \"::1/128\" (\"10.0.0.0/33\": prefix length 33 is over 32 for IPv4), found [\"127.0.0.0/8\",\"10.0.0.0/33\"]",
                "{\"hyper_parameters\":{\"peer_trust\":{\"trusted_networks\":[\"localhost\"]}}} | server_config.json: key \"hyper_parameters.peer_trust.trusted_networks\": expected a list of networks such as \"10.0.0.0/8\" or \"::1/128\" (\"localhost\": not an IPv4 or IPv6 address), found [\"localhost\"]",
                "{\"hyper_parameters\":{\"peer_trust\":{\"trusted_networks\":\"127.0.0.1\"}}} | server_config.json: key \"hyper_parameters.peer_trust.trusted_networks\": expected null or a list of strings, found \"127.0.0.1\"",
                "{\"hyper_parameters\":{\"routing\":\"mesh\"}}                 | server_config.json: key \"hyper_parameters.routing\": expected one of broadcast, dedicated, hosted, hybrid, found \"mesh\"",
                "{\"hyper_parameters\":{\"routing\":\"hosted\"}} | server_config.json: key \"hyper_parameters.hosted_relay.host_fingerprints\": expected a non-empty list of fingerprints with \"routing\": \"hosted\", found nothing",
                "{\"hyper_parameters\":{\"routing\":\"hosted\",\"hosted_relay\":{\"host_fingerprints\":[]}}} | server_config.json: key \"hyper_parameters.hosted_relay.host_fingerprints\": expected a non-empty list of fingerprints with \"routing\": \"hosted\", found []",
                "{\"hyper_parameters\":{\"routing\":\"hosted\",\"hosted_relay\":{\"host_fingerprints\":[\"host\"]}}} | server_config.json: key \"hyper_parameters.hosted_relay.host_fingerprints\": expected fingerprints of 22 base64url characters (\"host\" is not one), found [\"host\"]",
                "{\"hyper_parameters\":{\"routing\":\"hosted\",\"hosted_relay\":{\"host_fingerprints\":[\"AAAAAAAAAAAAAAAAAAAAAA\"]},\"peer_trust\":{\"allowed_fingerprints\":[\"BBBBBBBBBBBBBBBBBBBBB_\"]}}} | server_config.json: key \"hyper_parameters.hosted_relay.host_fingerprints\" names AAAAAAAAAAAAAAAAAAAAAA, which \"hyper_parameters.peer_trust.allowed_fingerprints\" does not allow, so that host could never bind",
                "{\"hyper_parameters\":{\"routing\":\"hybrid\",\"hosted_relay\":{\"host_fingerprints\":[\"AAAAAAAAAAAAAAAAAAAAAA\"]},\"dedicated_relay\":{\"allowed_fingerprints\":[\"BBBBBBBBBBBBBBBBBBBBB_\"]}}} | server_config.json: key \"hyper_parameters.hosted_relay.host_fingerprints\" names AAAAAAAAAAAAAAAAAAAAAA, which \"hyper_parameters.dedicated_relay.allowed_fingerprints\" does not allow, so in \"hybrid\" that host could never bind",
                "{\"hyper_parameters\":{\"routing\":\"dedicated\",\"dedicated_relay\":{\"allowed_fingerprints\":[]}}} | server_config.json: key \"hyper_parameters.dedicated_relay.allowed_fingerprints\" is [] with \"routing\": \"dedicated\", so no one could send",
                "{\"hyper_parameters\":{\"routing\":\"dedicated\",\"peer_trust\":{\"allowed_fingerprints\":[]}}} | server_config.json: key \"hyper_parameters.peer_trust.allowed_fingerprints\" is [] with \"routing\": \"dedicated\", so no one could send",
                "{\"hyper_parameters\":{\"handshake\":{\"required\":true},\"peer_trust\":{\"allowed_fingerprints\":[]}}} | server_config.json: key \"hyper_parameters.peer_trust.allowed_fingerprints\" is [] while \"hyper_parameters.handshake.required\" is true, so no client could ever be relayed",
                "{\"hyper_parameters\":{\"peer_trust\":{\"allow_networks\":[]}}} | server_config.json: key \"hyper_parameters.peer_trust.allow_networks\" is [], so no address may connect; null allows every address",
                "{\"hyper_parameters\":{\"peer_trust\":{\"deny_networks\":[\"10.0.0.1/8\"]}}} | server_config.json: key \"hyper_parameters.peer_trust.deny_networks\": expected a list of networks such as \"10.0.0.0/8\" or \"::1/128\" (\"10.0.0.1/8\": bits are set past the /8 prefix (the network is 10.0.0.0/8)), found [\"10.0.0.1/8\"]",
                "{\"hyper_parameters\":{\"handshake\":{\"timeout_secs\":0}}} | server_config.json: key \"hyper_parameters.handshake.timeout_secs\": expected a positive integer, found 0",
                "{\"hyper_parameters\":{\"handshake\":{\"required\":\"yes\"}}} | server_config.json: key \"hyper_parameters.handshake.required\": expected true or false, found \"yes\"",
                "{\"hyper_parameters\":{\"routing\":\"broadcast\",\"dedicated_relay\":{\"enabled\":true}}} | server_config.json: key \"hyper_parameters.routing\": \"broadcast\" contradicts \"hyper_parameters.dedicated_relay.enabled\": true; remove one of them or make them agree",
                "{\"hyper_parameters\":{\"dedicated_relay\":{\"validation_adapter\":\"pgp\"}}} | server_config.json: key \"hyper_parameters.dedicated_relay.validation_adapter\": expected \"aurora\" (the only adapter), found \"pgp\"",
                "{\"hyper_parameters\":{\"dedicated_relay\":{\"allowed_fingerprints\":[\"AAAAAAAAAAAAAAAAAAAAAA\",\"short\"]}}} | server_config.json: key \"hyper_parameters.dedicated_relay.allowed_fingerprints\": expected fingerprints of 22 base64url characters (\"short\" is not one), found [\"AAAAAAAAAAAAAAAAAAAAAA\",\"short\"]",
                "{\"hyper_parameters\":{\"dedicated_relay\":{\"communication_graph\":{\"AAAAAAAAAAAAAAAAAAAAAA\":[\"BBBBBBBBBBBBBBBBBBBBB_\",\"not/base64url+chars!!\"]}}}} | server_config.json: key \"hyper_parameters.dedicated_relay.communication_graph\": expected fingerprints of 22 base64url characters (\"not/base64url+chars!!\" is not one), found {\"AAAAAAAAAAAAAAAAAAAAAA\":[\"BBBBBBBBBBBBBBBBBBBBB_\",\"not/base64url+chars!!\"]}",
                "{\"hyper_parameters\":{\"dedicated_relay\":{\"communication_graph\":{\"AAAAAAAAAAAAAAAAAAAAAA\":\"BBBBBBBBBBBBBBBBBBBBB_\"}}}} | server_config.json: key \"hyper_parameters.dedicated_relay.communication_graph\": expected null or an object from each fingerprint to the list of fingerprints it may write to, found {\"AAAAAAAAAAAAAAAAAAAAAA\":\"BBBBBBBBBBBBBBBBBBBBB_\"}",
                "{\"hyper_parameters\":{\"dedicated_relay\":{\"firewall\":{\"enabled\":true}}}} | server_config.json: key \"hyper_parameters.dedicated_relay.firewall.enabled\": expected false (a firewall is not supported: this relay never runs shell commands), found true",
                "{\"hyper_parameters\":{\"dedicated_relay\":{\"paths\":{\"sender_identity\":\"from..x\"}}}} | server_config.json: key \"hyper_parameters.dedicated_relay.paths.sender_identity\": expected a dot path such as \"from.sig\", found \"from..x\"",
                "{\"hyper_parameters\":{\"dedicated_relay\":{\"paths\":{\"sender_identity\":\"payload.from\"}}}} | server_config.json: key \"hyper_parameters.dedicated_relay.paths.sender_identity\": expected a dot path outside \"v\", \"payload\" and \"session_proof\", which the envelope signature covers as they are, found \"payload.from\"",
                "{\"hyper_parameters\":{\"dedicated_relay\":{\"paths\":{\"envelope_signature\":\"from.sig\"}}}} | server_config.json: key \"hyper_parameters.dedicated_relay.paths.envelope_signature\": expected a dot path apart from \"sender_identity\" (\"from\"): neither may lie inside the other, found \"from.sig\"",
                "{\"hyper_parameters\":{\"dedicated_relay\":{\"paths\":{\"sender_identity\":\"id\",\"receiver_identity\":\"id\"}}}} | server_config.json: key \"hyper_parameters.dedicated_relay.paths.sender_identity\": expected a dot path apart from \"receiver_identity\" (\"id\"): neither may lie inside the other, found \"id\"",
                "{\"hyper_parameters\":{\"dedicated_relay\":{\"paths\":{\"sender_identity\":\"sender\",\"sender_signing_key\":\"from.pub_sig_b64\"}}}} | server_config.json: key \"hyper_parameters.dedicated_relay.paths.sender_signing_key\": expected a dot path inside the sender's identity record (\"sender.<field>\"), found \"from.pub_sig_b64\"",
                "{\"hyper_parameters\":{\"dedicated_relay\":{\"invalid_attempts\":{\"window_secs\":0}}}} | server_config.json: key \"hyper_parameters.dedicated_relay.invalid_attempts.window_secs\": expected a positive integer, found 0",
                "{\"hyper_parameters\":{\"max_queued_bytes\":10}}       | server_config.json: key \"hyper_parameters.max_queued_bytes\": expected an integer of at least 1024, found 10",
                "{\"hyper_parameters\":{\"max_connections\":-1}}        | server_config.json: key \"hyper_parameters.max_connections\": expected a non-negative integer, found -1",
                "{\"hyper_parameters\":{\"max_connections_per_ip\":1.5}} | server_config.json: key \"hyper_parameters.max_connections_per_ip\": expected a non-negative integer, found 1.5",
                "{\"hyper_parameters\":{\"backpressure_policy\":{\"disconnect_threshold\":true}}} | server_config.json: key \"hyper_parameters.backpressure_policy.disconnect_threshold\": expected a positive integer, found true",
        })
        void a_wrong_value_names_file_key_expected_and_found(String text, String message) {
            final ConfigException e = assertThrows(ConfigException.class, () -> json(text));
            assertEquals(message, e.getMessage());
            assertEquals("server_config.json", e.source());
        }

        @Test
        void a_log_format_field_the_relay_cannot_fill_is_named() {
            assertEquals("server_config.json: key \"logger.console_log_format\": expected a Python logging format of "
                    + "%(asctime)s %(created)s %(msecs)s %(name)s %(levelname)s %(levelno)s %(message)s %(process)s "
                    + "%(threadName)s (%(funcName)s is not supported), found \"%(funcName)s: %(message)s\"",
                    error("{\"logger\":{\"console_log_format\":\"%(funcName)s: %(message)s\"}}"));
        }

        @Test
        void an_unsupported_strftime_directive_in_date_format_is_named() {
            assertEquals("server_config.json: key \"logger.date_format\": expected a strftime pattern of %Y %y %m %d %H %I %M %S "
                    + "%f %3f %6f %p %z %Z %a %A %b %B %j %% (%c is not supported), found \"%Y %c\"",
                    error("{\"logger\":{\"date_format\":\"%Y %c\"}}"));
        }

        @Test
        void the_exception_carries_the_dotted_key() {
            final ConfigException e = assertThrows(ConfigException.class, () -> json("{\"hyper_parameters\":{\"worker_threads\":0}}"));
            assertEquals("hyper_parameters.worker_threads", e.key());
        }

        @Test
        void a_long_found_value_is_abbreviated() {
            assertEquals("server_config.json: key \"host\": expected a string, found [" + "1,".repeat(38) + "...",
                    error("{\"host\":[" + "1,".repeat(100) + "1]}"));
        }

        @Test
        void malformed_json_names_the_file_and_the_place() {
            assertEquals("server_config.json: not valid JSON at line 2, column 1: Unexpected end-of-input within/between Object entries",
                    error("{\"port\": 1234,\n"));
        }

        @Test
        void a_duplicate_key_is_malformed() {
            assertEquals("server_config.json: not valid JSON at line 1, column 17: Duplicate field 'port'",
                    error("{\"port\":1,\"port\":2}"));
        }

        @Test
        void trailing_garbage_is_malformed() {
            assertTrue(error("{} x").startsWith("server_config.json: not valid JSON at line 1, column 4: "), error("{} x"));
        }

        @Test
        void the_top_level_must_be_an_object() {
            assertEquals("server_config.json: expected a JSON object at the top level, found [1,2]", error("[1,2]"));
            assertEquals("server_config.json: not valid JSON: the document is empty", error("  "));
        }

        @Test
        void a_file_that_cannot_be_read_names_it(@TempDir Path dir) {
            final Path missing = dir.resolve("nope.json");
            final ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.fromFile(missing));
            assertEquals(missing + ": cannot read: java.nio.file.NoSuchFileException: " + missing, e.getMessage());
        }

        @Test
        void a_wrong_value_in_a_map_names_the_map() {
            final ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.fromMap(Map.of("port", "x")));
            assertEquals("config map: key \"port\": expected an integer from 0 to 65535, found \"x\"", e.getMessage());
        }
    }

    @Nested
    class Drain {
        @Test
        void the_defaults_are_a_30_second_period_and_a_port_of_its_own() {
            assertEquals(new DrainSettings(30, false), json("{}").drain());
            assertEquals(new DrainSettings(30, false), json("{\"drain\": null}").drain());
        }

        @Test
        void both_keys_are_read() {
            assertEquals(new DrainSettings(0, true), json("{\"drain\": {\"period_secs\": 0, \"reuse_port\": true}}").drain());
        }

        @Test
        void wrong_values_name_the_file_the_key_what_was_expected_and_what_was_found() {
            assertEquals("server_config.json: key \"drain.period_secs\": expected an integer from 0 to 86400, found -1",
                    error("{\"drain\": {\"period_secs\": -1}}"));
            assertEquals("server_config.json: key \"drain.period_secs\": expected an integer from 0 to 86400, found \"30\"",
                    error("{\"drain\": {\"period_secs\": \"30\"}}"));
            assertEquals("server_config.json: key \"drain.reuse_port\": expected true or false, found \"yes\"",
                    error("{\"drain\": {\"reuse_port\": \"yes\"}}"));
            assertEquals("server_config.json: key \"drain\": expected a JSON object, found 30", error("{\"drain\": 30}"));
        }

        @Test
        void an_unknown_key_in_drain_is_a_warning_naming_it() {
            assertEquals(1, json("{\"drain\": {\"period\": 5}}").warnings().size());
            assertTrue(json("{\"drain\": {\"period\": 5}}").warnings().get(0).contains("drain.period"));
        }
    }

    @Nested
    class Verification {
        @Test
        void the_defaults_are_a_thread_per_core_and_4096_lines_waiting() {
            assertEquals(new VerificationSettings(null, 4096), json("{}").verification());
            assertEquals(new VerificationSettings(null, 4096), json("{\"verification\": null}").verification());
            assertEquals(Runtime.getRuntime().availableProcessors(), json("{}").verification().poolThreads());
        }

        @Test
        void both_keys_are_read_and_0_threads_checks_on_the_engine_threads() {
            final VerificationSettings read = json("{\"verification\": {\"threads\": 0, \"max_waiting\": 10}}").verification();
            assertEquals(new VerificationSettings(0, 10), read);
            assertEquals(0, read.poolThreads());
        }

        @Test
        void wrong_values_name_the_file_the_key_what_was_expected_and_what_was_found() {
            assertEquals("server_config.json: key \"verification.threads\": expected an integer from 0 to 256, found -1",
                    error("{\"verification\": {\"threads\": -1}}"));
            assertEquals("server_config.json: key \"verification.max_waiting\": expected an integer from 1 to 1000000, found 0",
                    error("{\"verification\": {\"max_waiting\": 0}}"));
            assertEquals("server_config.json: key \"verification\": expected a JSON object, found \"auto\"",
                    error("{\"verification\": \"auto\"}"));
        }

        @Test
        void a_reload_that_changes_it_names_it_as_needing_a_restart() {
            final ConfigReload reload = ConfigReload.compare(json("{}"), json("{\"verification\": {\"threads\": 1}}"));
            assertEquals(List.of("verification"), reload.needRestart());
            assertEquals(json("{}").verification(), reload.effective().verification());
        }
    }
}
