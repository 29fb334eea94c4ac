package org.summoner.relay.core;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.summoner.relay.wire.ServerNotice;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fault barrier of the core (SPEC section 10), without sockets: what is caught, counted, told and logged. */
class FaultsTest {
    private static final String NOTICE = "Warning: Server error on your connection; disconnecting.\n";
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger faultsLog = (Logger) LoggerFactory.getLogger(Faults.class);

    @BeforeEach
    void captureLog() {
        logged.start();
        faultsLog.addAppender(logged);
    }

    @AfterEach
    void releaseLog() {
        faultsLog.detachAppender(logged);
    }

    private static Router throwingOn(String trigger, RuntimeException fault) {
        return (sender, line, offset, length, decision) -> {
            if (new String(line, offset, length).equals(trigger)) {
                throw fault;
            }
            Router.BROADCAST.route(sender, line, offset, length, decision);
        };
    }

    @Test
    void a_line_that_throws_closes_its_session_alone_told_first_and_the_rest_of_its_bytes_are_not_read() {
        final FakeEngine engine = FakeEngine.of(Map.of(), throwingOn("boom", new IllegalStateException("routing failed")));
        final Session attacker = engine.connect("10.0.0.1", 1);
        final Session bystander = engine.connect("10.0.0.2", 2);

        FakeEngine.send(attacker, "first\nboom\nnever\n");
        FakeEngine.send(bystander, "fine\n");

        assertEquals(2, engine.dispatched.size(), "first and fine, never 'never'");
        assertEquals(NOTICE, FakeEngine.output(attacker).goodbye);
        assertEquals(Session.State.DRAINING, attacker.state());
        assertTrue(bystander.isOpen());
        assertEquals(1, engine.core().faults().count(Faults.Where.LINE));
        assertNull(engine.core().faults().unhealthy());
    }

    @Test
    void a_fault_at_end_of_stream_is_caught_too() {
        final FakeEngine engine = FakeEngine.of(Map.of(), throwingOn("last", new IllegalArgumentException("x")));
        final Session session = engine.connect("10.0.0.1", 1);
        FakeEngine.send(session, "last");
        session.onEndOfStream();
        assertEquals(NOTICE, FakeEngine.output(session).goodbye);
        assertEquals(1, engine.core().faults().count(Faults.Where.LINE));
    }

    @Test
    void a_timed_duty_that_throws_for_one_session_closes_it_alone_and_the_sweep_goes_on() {
        final FakeEngine engine = FakeEngine.of(Map.of("client_timeout_secs", 10, "timeout_check_interval_secs", 1));
        final FakeEngine.Output failing = new FakeEngine.Output() {
            @Override
            public void goodbye(byte[] line) {
                throw new IllegalStateException("the engine failed to say goodbye");
            }
        };
        final Session broken = engine.connect("10.0.0.1", 1, failing);
        final Session idle = engine.connect("10.0.0.2", 2);
        engine.at(engine.now() + TimeUnit.SECONDS.toNanos(11));
        engine.sweep();

        assertTrue(failing.closed, "closed without its goodbye, which failed");
        assertEquals(Session.State.CLOSED, broken.state());
        assertEquals("Warning: You have been disconnected due to inactivity.\n", FakeEngine.output(idle).goodbye);
        assertEquals(1, engine.core().faults().count(Faults.Where.TIMER));
    }

    @Test
    void an_error_the_jvm_cannot_recover_from_is_not_caught() {
        final FakeEngine engine = FakeEngine.of(Map.of(), (sender, line, offset, length, decision) -> {
            throw new OutOfMemoryError("as if");
        });
        final Session session = engine.connect("10.0.0.1", 1);
        assertThrows(OutOfMemoryError.class, () -> FakeEngine.send(session, "x\n"));
        assertEquals(0, engine.core().faults().total());
    }

    @Test
    void faults_are_logged_at_most_once_per_interval_with_the_first_trace_of_each_kind_and_escaped() throws Exception {
        final Faults faults = new Faults(TimeUnit.MILLISECONDS.toNanos(50));
        final IllegalStateException fault = new IllegalStateException("bad\nline");
        for (int i = 0; i < 100; i++) {
            faults.record(Faults.Where.LINE, "10.0.0.1:1\n2026-12-07 CRITICAL forged", "closed", fault);
        }
        Thread.sleep(60); // the interval of this Faults, not a synchronisation: the next fault is due to be logged
        faults.record(Faults.Where.LINE, "10.0.0.1:2", "closed", fault);

        final List<ILoggingEvent> events = logged.list;
        assertEquals(2, events.size(), events.toString());
        final String first = events.get(0).getFormattedMessage();
        assertEquals("fault handling line of 10.0.0.1:1\\n2026-12-07 CRITICAL forged: java.lang.IllegalStateException: bad\\nline;"
                + " closed; every other connection is served on; counted in summoner_faults_total", first);
        assertNotNull(events.get(0).getThrowableProxy(), "the first of its kind has its stack trace");
        assertTrue(events.get(1).getFormattedMessage().endsWith(
                "(and 99 more since the last such line; logged at most every 0 s)"), events.get(1).getFormattedMessage());
        assertNull(events.get(1).getThrowableProxy(), "the same kind again: no trace");
        assertEquals(101, faults.count(Faults.Where.LINE));
        assertFalse(first.contains("\n"));
    }

    @Test
    void a_dead_relay_thread_makes_the_relay_unhealthy_with_its_reason() {
        final Faults faults = new Faults();
        faults.threadDied("summoner-nio-worker-3", new InternalError("x\ny"));
        assertEquals("relay thread summoner-nio-worker-3 failed: java.lang.InternalError: x\\ny", faults.unhealthy());
        assertEquals("ERROR", logged.list.get(0).getLevel().toString());
    }

    @Test
    void a_fault_notice_is_a_server_notice() {
        assertEquals(NOTICE, ServerNotice.FAULT.text(null) + "\n");
    }
}
