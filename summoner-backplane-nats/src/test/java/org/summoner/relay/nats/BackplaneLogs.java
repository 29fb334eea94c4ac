package org.summoner.relay.nats;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/** What {@link NatsBackplane} logs while it is open, as {@code LEVEL message} lines. Thread-safe. */
final class BackplaneLogs implements AutoCloseable {
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(NatsBackplane.class);

    BackplaneLogs() {
        appender.setContext(logger.getLoggerContext());
        appender.start();
        logger.addAppender(appender);
    }

    List<String> lines() {
        final List<ILoggingEvent> events;
        synchronized (appender) { // AppenderBase.doAppend holds it while it adds
            events = new ArrayList<>(appender.list);
        }
        final List<String> lines = new ArrayList<>();
        for (ILoggingEvent event : events) {
            lines.add(event.getLevel() + " " + event.getFormattedMessage());
        }
        return lines;
    }

    /** @return whether a line starts with {@code start}. */
    boolean has(String start) {
        return lines().stream().anyMatch(line -> line.startsWith(start));
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
