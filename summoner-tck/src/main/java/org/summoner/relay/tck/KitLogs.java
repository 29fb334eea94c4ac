package org.summoner.relay.tck;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * What a test's servers log, read back: every event of the relay's loggers ({@code org.summoner}, from DEBUG up, kept
 * off the console meanwhile) and every WARN or worse of the others (Netty's among them), each as its level, its
 * formatted message, and the message of each exception it carries, since a layout prints those too. Through
 * Logback, the SLF4J binding every engine's tests use; {@link #available()} says whether it is the one bound.
 *
 * <p>Thread-safe: servers log from their own threads while the test reads.
 */
final class KitLogs implements AutoCloseable {
    private static final String RELAY = "org.summoner";

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger root;
    private final Logger relay;
    private final Level relayLevel;
    private final boolean relayAdditive;

    private KitLogs() {
        root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        relay = (Logger) LoggerFactory.getLogger(RELAY);
        relayLevel = relay.getLevel();
        relayAdditive = relay.isAdditive();
        appender.setContext(root.getLoggerContext());
        appender.start();
        relay.setLevel(Level.DEBUG);
        relay.setAdditive(false);
        relay.addAppender(appender);
        root.addAppender(appender);
    }

    /** @return whether SLF4J is bound to Logback, which this class reads through. */
    static boolean available() {
        return "ch.qos.logback.classic.LoggerContext".equals(LoggerFactory.getILoggerFactory().getClass().getName());
    }

    /** Starts capturing; {@link #close()} stops and puts the levels back. */
    static KitLogs capture() {
        return new KitLogs();
    }

    /**
     * @return each event so far as {@code LEVEL logger: message}, and after it one {@code   caused by: message} entry
     *         per exception it carries (its causes included).
     */
    List<String> lines() {
        final List<ILoggingEvent> events;
        synchronized (appender) { // AppenderBase.doAppend holds it while it adds
            events = new ArrayList<>(appender.list);
        }
        final List<String> lines = new ArrayList<>();
        for (ILoggingEvent event : events) {
            lines.add(event.getLevel() + " " + event.getLoggerName() + ": " + event.getFormattedMessage());
            for (IThrowableProxy thrown = event.getThrowableProxy(); thrown != null; thrown = thrown.getCause()) {
                lines.add("  caused by: " + thrown.getClassName() + ": " + thrown.getMessage());
            }
        }
        return lines;
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        relay.detachAppender(appender);
        relay.setAdditive(relayAdditive);
        relay.setLevel(relayLevel);
        appender.stop();
    }
}
