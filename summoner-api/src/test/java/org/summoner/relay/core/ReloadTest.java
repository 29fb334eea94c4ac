package org.summoner.relay.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.summoner.relay.config.ServerConfig;
import org.summoner.relay.config.TlsFiles;
import org.summoner.relay.counters.RelayCounters;
import org.summoner.relay.identity.AuroraSigner;
import org.summoner.relay.policy.AdmissionControl;
import org.summoner.relay.policy.FairUsePolicy;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A reload without sockets: what the core publishes, what it keeps, and what each dispatcher does with it. */
class ReloadTest {
    private static final String KEPT = AuroraSigner.generate(null).fingerprint();
    private static final String REMOVED = AuroraSigner.generate(null).fingerprint();

    private static ServerConfig config(Map<String, ?> hyperParameters) {
        return ServerConfig.fromMap(Map.of("hyper_parameters", hyperParameters));
    }

    @Test
    void the_backpressure_gate_and_quarantine_cooldown_of_a_reload_judge_the_next_backlog() throws Exception {
        final FakeEngine engine = FakeEngine.of(Map.of());
        final RelayCore core = engine.core();
        final Session slow = engine.connect("10.0.0.1", 1);
        final long now = System.nanoTime();
        assertEquals(OutboundBudget.Verdict.KEEP, core.budget().onBacklog(slow, 50, 5_000, now), "under the default 500");

        core.reload(config(Map.of("quarantine_cooldown_secs", 7, "backpressure_policy", Map.of(
                "throttle_threshold", 10, "flow_control_threshold", 20, "disconnect_threshold", 40))));
        assertEquals(OutboundBudget.Verdict.CLOSE, core.budget().onBacklog(slow, 50, 5_000, now));
        final AdmissionControl.Rejection refused = core.policy().admission().admit(InetAddress.getByName("10.0.0.1"), now);
        assertEquals(7, refused.quoted(), "quarantined for the new cooldown");
    }

    @Test
    void a_reloaded_policy_counts_the_same_connections_and_keeps_the_quarantine_list() throws Exception {
        final ServerConfig first = config(Map.of("max_connections", 3));
        final FairUsePolicy policy = FairUsePolicy.of(first);
        final InetAddress address = InetAddress.getByName("10.0.0.9");
        assertNull(policy.admission().admit(address, 0));
        assertNull(policy.admission().admit(address, 0));
        policy.admission().quarantine(InetAddress.getByName("10.0.0.66"), 0);

        final FairUsePolicy reloaded = policy.reloaded(config(Map.of("max_connections", 2)));
        assertEquals(2, reloaded.admission().connections());
        assertEquals(1, reloaded.admission().quarantinedAddresses());
        assertEquals("Warning: Server is full (max_connections 2); disconnecting.\n",
                new String(reloaded.admission().admit(address, 0).line(), java.nio.charset.StandardCharsets.UTF_8));
        reloaded.admission().release(address);
        assertEquals(1, policy.admission().connections(), "one count, whichever policy released it");
    }

    @Test
    void each_dispatcher_applies_a_reload_on_its_own_turn_closing_only_what_the_new_peer_trust_refuses() {
        final FakeEngine engine = FakeEngine.of(Map.of());
        final RelayCore core = engine.core();
        final Session stays = engine.connect("10.0.0.1", 1);
        final Session denied = engine.connect("10.0.0.2", 2);
        final Session bound = engine.connect("10.0.0.3", 3);
        bound.identity().bind(REMOVED);
        final Session allowed = engine.connect("10.0.0.4", 4);
        allowed.identity().bind(KEPT);

        core.reload(config(Map.of("peer_trust", Map.of("deny_networks", List.of("10.0.0.2/32"),
                "allowed_fingerprints", List.of(KEPT)))));
        assertEquals(engine.now(), engine.nextTimedDutyNanos(), "due at once: the engine is woken for it");
        assertTrue(denied.isOpen(), "nothing changes on a relay thread until its turn");
        engine.sweep();

        assertEquals("Warning: Your address is not allowed on this server; disconnecting.\n", FakeEngine.output(denied).goodbye);
        assertEquals("Warning: Your identity is no longer allowed on this server; disconnecting.\n", FakeEngine.output(bound).goodbye);
        assertTrue(stays.isOpen());
        assertTrue(allowed.isOpen());
        assertNull(FakeEngine.output(stays).goodbye);
        assertTrue(engine.nextTimedDutyNanos() - engine.now() > 0, "applied once: only the goodbyes' deadlines are due, later");
    }

    @Test
    void lifting_the_handshake_releases_a_connection_waiting_to_bind_and_its_deadline() {
        final FakeEngine engine = FakeEngine.routed(Map.of("handshake", Map.of("required", true, "challenge", false)));
        final RelayCore core = engine.core();
        final Session waiting = engine.connect("10.0.0.1", 1);
        assertTrue(waiting.identity().mustBind());
        assertFalse(waiting.isReceiving());

        core.reload(config(Map.of()));
        engine.sweep();
        assertFalse(waiting.identity().mustBind());
        assertTrue(waiting.isReceiving());
        engine.at(engine.now() + TimeUnit.SECONDS.toNanos(60));
        engine.sweep();
        assertTrue(waiting.isOpen(), "no handshake deadline left for it");
    }

    @TempDir
    Path dir;

    @Test
    void the_tls_material_is_made_again_only_when_tls_changed_so_an_unrelated_reload_keeps_the_session_cache() throws Exception {
        final Map<String, Object> tls = TlsFiles.section(dir);
        final ServerConfig start = ServerConfig.fromMap(Map.of("tls", tls));
        final RelayCore core = new RelayCore(start, new RelayCounters(), FairUsePolicy.of(start), relay -> Router.BROADCAST);
        final Object material = core.live().tls;
        core.reload(ServerConfig.fromMap(Map.of("tls", tls, "hyper_parameters", Map.of("rate_limit_msgs_per_minute", 5))));
        assertSame(material, core.live().tls);
        final Map<String, Object> slower = new java.util.HashMap<>(tls);
        slower.put("handshake_timeout_secs", 30);
        core.reload(ServerConfig.fromMap(Map.of("tls", slower)));
        assertFalse(material == core.live().tls, "a new context for the changed tls section");
        assertEquals(TimeUnit.SECONDS.toNanos(30), core.tlsHandshakeTimeoutNanos());
    }

    @Test
    void a_router_that_fails_to_be_made_publishes_nothing() {
        final int[] made = {0};
        final ServerConfig start = config(Map.of());
        final RelayCore core = new RelayCore(start, new RelayCounters(), FairUsePolicy.of(start), relay -> {
            if (made[0]++ > 0) {
                throw new IllegalStateException("no router this time");
            }
            return Router.BROADCAST;
        });
        final FairUsePolicy before = core.policy();
        assertThrows(IllegalStateException.class, () -> core.reload(config(Map.of("rate_limit_msgs_per_minute", 5))));
        assertSame(before, core.policy());
        assertSame(start, core.config());
        assertSame(start, core.routingConfig());
    }
}
