package org.summoner.relay.core;

import org.junit.jupiter.api.Test;
import org.summoner.relay.wire.ServerNotice;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whether a client is read is the core's decision, told to the engine ({@link SessionOutput#reading}): not during its
 * own pause (which the core's timed duties end), not while its session holds input, always once it is leaving.
 */
class ReadingTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private static FakeEngine engine() {
        final Map<String, Object> parameters = new HashMap<>();
        parameters.put("client_timeout_secs", null); // no idle sweep: pauses are the only timed duties
        final FakeEngine engine = FakeEngine.of(parameters);
        engine.at(0);
        return engine;
    }

    @Test
    void a_pause_stops_reads_until_its_deadline_and_a_later_pause_extends_it() {
        final FakeEngine engine = engine();
        final Session session = engine.connect("127.0.0.1", 1);
        final FakeEngine.Output output = FakeEngine.output(session);
        assertTrue(output.reading, "a new client is read");

        session.reads().pause(2 * SECOND);
        assertFalse(output.reading);
        assertEquals(2 * SECOND, engine.nextTimedDutyNanos());
        session.reads().pause(SECOND); // never shortens it
        session.reads().pause(3 * SECOND);
        assertEquals(3 * SECOND, engine.nextTimedDutyNanos());

        engine.at(3 * SECOND - 1);
        engine.sweep();
        assertFalse(output.reading, "not a nanosecond early");
        engine.at(3 * SECOND);
        engine.sweep();
        assertTrue(output.reading, "the core ended the pause: the engine reads it again");
        assertEquals(Long.MAX_VALUE, engine.nextTimedDutyNanos());
    }

    @Test
    void a_pause_that_ends_while_input_is_held_keeps_reads_stopped_until_it_is_handled() {
        final FakeEngine engine = engine();
        final Session session = engine.connect("127.0.0.1", 1);
        final FakeEngine.Output output = FakeEngine.output(session);
        session.reads().pause(SECOND);
        session.reads().hold(true);
        engine.at(SECOND);
        engine.sweep();
        assertFalse(output.reading, "its input is still held");
        session.reads().hold(false);
        assertTrue(output.reading);
    }

    @Test
    void a_client_leaving_is_read_to_see_it_close_and_a_closed_one_leaves_the_paused() {
        final FakeEngine engine = engine();
        final Session leaving = engine.connect("127.0.0.1", 1);
        leaving.reads().pause(10 * SECOND);
        leaving.reads().hold(true);
        assertFalse(FakeEngine.output(leaving).reading);
        leaving.sayGoodbye(ServerNotice.SHUTTING_DOWN, 2 * SECOND);
        assertTrue(FakeEngine.output(leaving).reading, "read on, to see its client close");

        final Session gone = engine.connect("127.0.0.1", 2);
        gone.reads().pause(20 * SECOND);
        gone.close();
        gone.closed();
        engine.at(SECOND);
        assertEquals(SECOND, engine.nextTimedDutyNanos(), "a closed session is dropped from the paused at once");
        engine.sweep();
        assertEquals(2 * SECOND, engine.nextTimedDutyNanos(), "the goodbye's deadline comes before the leaving one's pause ends");
    }
}
