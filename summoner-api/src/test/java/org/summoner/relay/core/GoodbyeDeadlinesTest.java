package org.summoner.relay.core;

import org.junit.jupiter.api.Test;
import org.summoner.relay.wire.ServerNotice;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A goodbye's deadline is the core's, the same for every engine: a session told goodbye, or refused before it began,
 * is closed by its dispatcher's timed duties at its deadline unless its client closed first; the engine keeps none.
 */
class GoodbyeDeadlinesTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private static FakeEngine engine() {
        final Map<String, Object> parameters = new HashMap<>();
        parameters.put("client_timeout_secs", null); // no idle sweep: goodbyes are the only timed duties
        return FakeEngine.of(parameters);
    }

    @Test
    void a_goodbye_is_closed_at_its_deadline_and_not_a_nanosecond_early() {
        final FakeEngine engine = engine();
        engine.at(0);
        final Session session = engine.connect("127.0.0.1", 1);
        session.sayGoodbye(ServerNotice.SHUTTING_DOWN, 2 * SECOND);
        assertEquals("Warning: Server is shutting down.\n", FakeEngine.output(session).goodbye);
        assertEquals(2 * SECOND, engine.nextTimedDutyNanos());

        engine.at(2 * SECOND - 1);
        engine.sweep();
        assertFalse(FakeEngine.output(session).closed, "not a nanosecond early");
        assertEquals(Session.State.DRAINING, session.state());

        engine.at(2 * SECOND);
        engine.sweep();
        assertTrue(FakeEngine.output(session).closed, "its client did not close: the core closes it");
        assertEquals(Session.State.CLOSED, session.state());
        assertEquals(Long.MAX_VALUE, engine.nextTimedDutyNanos(), "nothing left to time");
    }

    @Test
    void a_client_that_closes_first_leaves_the_queue() {
        final FakeEngine engine = engine();
        engine.at(0);
        final Session polite = engine.connect("127.0.0.1", 1);
        final Session slow = engine.connect("127.0.0.1", 2);
        polite.sayGoodbye(ServerNotice.SHUTTING_DOWN, 2 * SECOND);
        slow.sayGoodbye(ServerNotice.SHUTTING_DOWN, 2 * SECOND);
        engine.at(SECOND);
        polite.closed(); // its client read the line and closed: the engine closed the socket

        engine.at(2 * SECOND);
        engine.sweep();
        assertFalse(FakeEngine.output(polite).closed, "closed by its client, not told again");
        assertTrue(FakeEngine.output(slow).closed);
        assertEquals(Long.MAX_VALUE, engine.nextTimedDutyNanos());
    }

    @Test
    void a_deadline_earlier_than_the_last_one_is_kept_in_order() {
        final FakeEngine engine = engine();
        engine.at(0);
        final Session late = engine.connect("127.0.0.1", 1);
        final Session early = engine.connect("127.0.0.1", 2);
        final Session middle = engine.connect("127.0.0.1", 3);
        late.sayGoodbye(ServerNotice.SHUTTING_DOWN, 5 * SECOND);
        early.sayGoodbye(ServerNotice.SHUTTING_DOWN, 3 * SECOND);
        middle.sayGoodbye(ServerNotice.SHUTTING_DOWN, 4 * SECOND);
        assertEquals(3 * SECOND, engine.nextTimedDutyNanos());

        engine.at(3 * SECOND);
        engine.sweep();
        assertTrue(FakeEngine.output(early).closed);
        assertFalse(FakeEngine.output(middle).closed);
        assertEquals(4 * SECOND, engine.nextTimedDutyNanos());
        engine.at(4 * SECOND);
        engine.sweep();
        assertTrue(FakeEngine.output(middle).closed);
        assertFalse(FakeEngine.output(late).closed);
        assertEquals(5 * SECOND, engine.nextTimedDutyNanos());
    }

    @Test
    void a_connection_refused_before_it_began_is_closed_after_the_linger() throws Exception {
        final FakeEngine engine = engine();
        engine.at(10 * SECOND);
        final FakeEngine.Output output = new FakeEngine.Output();
        final Session refused = engine.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1), output); // never started
        refused.closeAfterLinger();
        assertEquals(10 * SECOND + Dispatcher.LINGER_NANOS, engine.nextTimedDutyNanos());

        engine.at(10 * SECOND + Dispatcher.LINGER_NANOS - 1);
        engine.sweep();
        assertFalse(output.closed);
        engine.at(10 * SECOND + Dispatcher.LINGER_NANOS);
        engine.sweep();
        assertTrue(output.closed, "a plaintext client that never closes is closed after the linger");
    }

    @Test
    void a_closed_session_is_not_timed() {
        final FakeEngine engine = engine();
        engine.at(0);
        final Session closing = engine.connect("127.0.0.1", 1);
        closing.close(); // the budget closed it: a goodbye after that is nothing
        closing.sayGoodbye(ServerNotice.SHUTTING_DOWN, SECOND);
        closing.closeAfterLinger();
        assertEquals(Long.MAX_VALUE, engine.nextTimedDutyNanos());
    }
}
