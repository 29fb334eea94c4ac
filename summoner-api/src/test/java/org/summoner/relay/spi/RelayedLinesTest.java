package org.summoner.relay.spi;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.summoner.relay.counters.RelayedLines;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Relayed lines reach one DEBUG logger, with the reference's message and structured sender and content. */
class RelayedLinesTest {
    private final Logger logger = (Logger) LoggerFactory.getLogger(RelayedLines.LOGGER);
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();
    private Level before;

    @BeforeEach
    void capture() {
        before = logger.getLevel();
        events.start();
        logger.addAppender(events);
    }

    @AfterEach
    void release() {
        logger.detachAppender(events);
        logger.setLevel(before);
    }

    @Test
    void a_line_is_logged_with_its_sender_and_content_as_key_values() {
        logger.setLevel(Level.DEBUG);
        final byte[] line = "xx{\"to\":\"bob\"}yy".getBytes(StandardCharsets.UTF_8);
        assertTrue(RelayedLines.enabled());
        RelayedLines.received("127.0.0.1:5000", line, 2, line.length - 4);

        final ILoggingEvent event = events.list.get(0);
        assertEquals(Level.DEBUG, event.getLevel());
        assertEquals("Received from 127.0.0.1:5000: {\"to\":\"bob\"}", event.getFormattedMessage());
        assertEquals(List.of("remote_addr=\"127.0.0.1:5000\"", "content=\"{\"to\":\"bob\"}\""),
                event.getKeyValuePairs().stream().map(Object::toString).toList());
    }

    @Test
    void above_debug_nothing_is_logged() {
        logger.setLevel(Level.INFO);
        assertFalse(RelayedLines.enabled());
    }
}
