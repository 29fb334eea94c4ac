package org.summoner.relay.core;

import org.junit.jupiter.api.Test;
import org.summoner.relay.config.ServerConfig;
import org.summoner.relay.counters.RelayCounters;
import org.summoner.relay.policy.FairUsePolicy;
import org.summoner.relay.wire.ServerNotice;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A session's checks, notices and life cycle, with a fake engine: no sockets, time set by hand. */
class SessionTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final FakeEngine engine = FakeEngine.of(Map.of("rate_limit_msgs_per_minute", 2, "max_line_bytes", 100,
            "max_envelope_bytes", 256, "client_timeout_secs", 10, "timeout_check_interval_secs", 5));
    private final RelayCounters counters = engine.core().counters();

    private Session connect() {
        return engine.connect("10.0.0.1", 5000);
    }

    @Test
    void a_line_is_wrapped_once_in_its_senders_envelope_and_dispatched_to_every_other_client() {
        final Session session = connect();
        FakeEngine.send(session, "hel");
        FakeEngine.send(session, "lo\r\n");

        assertEquals(List.of(new FakeEngine.Dispatched(session, "{\"remote_addr\":\"10.0.0.1:5000\",\"content\":\"hello\"}\n",
                Route.BROADCAST)), engine.dispatched);
        engine.turnCounts().publish();
        assertEquals(1, counters.linesReceived());
        assertEquals(1, counters.linesRelayed());
        assertEquals(7, counters.bytesReceived());
    }

    @Test
    void a_line_over_the_rate_limit_is_dropped_and_its_sender_told() {
        final Session session = connect();
        FakeEngine.send(session, "1\n2\n3\n");

        assertEquals(2, engine.dispatched.size());
        assertEquals(List.of("Warning: You are sending messages too quickly. Please slow down.\n"), FakeEngine.output(session).sent);
        assertEquals(1, counters.linesDropped(ServerNotice.RATE_LIMITED));
    }

    @Test
    void over_long_invalid_and_over_wide_lines_are_dropped_with_their_own_notices_in_that_order_of_checks() {
        final Session session = connect();
        FakeEngine.send(session, "x".repeat(101) + "\n");
        session.onBytes(new byte[]{(byte) 0xFF, '\n'}, 0, 2);
        FakeEngine.send(session, "\u0001".repeat(40) + "\n"); // 40 bytes, 240 once escaped: over max_envelope_bytes

        assertEquals(List.of("Warning: Line exceeds max_line_bytes (100 bytes) and was dropped.\n",
                "Warning: Line is not valid UTF-8 and was dropped.\n",
                "Warning: Line exceeds max_envelope_bytes (256 bytes) once wrapped and was dropped.\n"), FakeEngine.output(session).sent);
        assertEquals(List.of(), engine.dispatched);
        assertEquals(1, counters.linesDropped(ServerNotice.ENVELOPE_TOO_LONG));
        engine.turnCounts().publish();
        assertEquals(3, counters.linesReceived());
        assertEquals(0, counters.linesRelayed());
    }

    @Test
    void an_unfinished_last_line_is_relayed_at_end_of_stream() {
        final Session session = connect();
        FakeEngine.send(session, "last words");
        assertEquals(List.of(), engine.dispatched);
        session.onEndOfStream();
        assertEquals("{\"remote_addr\":\"10.0.0.1:5000\",\"content\":\"last words\"}\n", engine.dispatched.get(0).envelope());
    }

    @Test
    void the_router_chooses_the_route_and_the_content_and_may_relay_none_or_several() {
        final ServerConfig config = ServerConfig.fromMap(Map.of());
        final Router router = (sender, line, offset, length, decision) -> {
            final String text = new String(line, offset, length, StandardCharsets.UTF_8);
            if (text.startsWith("to ")) {
                final byte[] inner = text.substring(3).getBytes(StandardCharsets.UTF_8);
                decision.relay(sender.route(), inner, 0, inner.length);
                decision.relay(Route.BROADCAST, inner, 0, inner.length);
            }
        };
        final FakeEngine routed = new FakeEngine(new RelayCore(config, new RelayCounters(), FairUsePolicy.of(config), core -> router));
        final Session session = routed.connect("10.0.0.2", 7);
        FakeEngine.send(session, "ignored\nto you\n");

        assertEquals(2, routed.dispatched.size());
        assertEquals("{\"remote_addr\":\"10.0.0.2:7\",\"content\":\"you\"}\n", routed.dispatched.get(0).envelope());
        assertEquals(session.route(), routed.dispatched.get(0).route());
        assertEquals(Route.BROADCAST, routed.dispatched.get(1).route());
    }

    @Test
    void idle_clients_are_told_and_closed_at_the_sweep_after_client_timeout_and_receiving_is_not_activity() {
        final long start = engine.now();
        final Session quiet = connect();
        final Session talker = engine.connect("10.0.0.3", 1);
        engine.at(start + 9 * SECOND);
        FakeEngine.send(talker, "x\n"); // a line is activity (a byte alone is not: SignedInputTest)
        engine.at(start + 10 * SECOND);
        engine.sweep(); // the first sweep is due at 5 s of the engine's clock: quiet is idle
        assertEquals("Warning: You have been disconnected due to inactivity.\n", FakeEngine.output(quiet).goodbye);
        assertEquals(start + 10 * SECOND + Dispatcher.LINGER_NANOS, quiet.deadlineNanos, "closed by the core then");
        assertEquals(Session.State.DRAINING, quiet.state());
        assertNull(FakeEngine.output(talker).goodbye);
        assertEquals(1, counters.idleDisconnects());

        engine.at(start + 12 * SECOND);
        engine.sweep(); // not due again until 15 s
        engine.at(start + 19 * SECOND + 1);
        engine.sweep();
        assertEquals("Warning: You have been disconnected due to inactivity.\n", FakeEngine.output(talker).goodbye);
    }

    @Test
    void a_session_saying_goodbye_relays_nothing_more_and_is_told_nothing_more() {
        final Session session = connect();
        engine.shutdown(123);
        assertEquals("Warning: Server is shutting down.\n", FakeEngine.output(session).goodbye);
        assertEquals(123, session.deadlineNanos, "closed by the core then");
        FakeEngine.send(session, "late\n" + "x".repeat(200) + "\n");
        assertEquals(List.of(), engine.dispatched);
        assertEquals(List.of(), FakeEngine.output(session).sent);
        session.outputShut();
        assertEquals(Session.State.LINGERING, session.state());
    }

    @Test
    void closing_stops_the_session_and_the_engines_report_of_the_socket_does_the_bookkeeping_once() throws Exception {
        final Session session = connect();
        final Session other = engine.connect("10.0.0.4", 1);
        assertEquals(2, engine.sessionCount());
        assertEquals(2, engine.core().budget().members());
        session.close();
        assertTrue(FakeEngine.output(session).closed);
        assertFalse(session.isOpen());
        session.closed();
        session.closed();

        assertEquals(1, engine.sessionCount());
        assertEquals(other, engine.session(0));
        assertEquals(1, engine.core().budget().members());
        assertEquals(2, counters.connectionsOpened());
        assertEquals(1, counters.connectionsClosed());
        assertTrue(session.id() != other.id());
    }
}
