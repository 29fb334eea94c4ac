package org.summoner.relay.server.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import org.slf4j.event.KeyValuePair;
import org.summoner.relay.config.PythonLogFormat;
import org.summoner.relay.counters.RelayedLines;
import org.summoner.relay.wire.Untrusted;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * One log line in a Python logging format ({@code console_log_format}, {@code log_format}): each field filled as
 * Python's {@code logging} fills it, {@code asctime} with the strftime {@code date_format}, and a relayed line's
 * content passed through {@code log_keys}.
 */
final class PythonFormatLayout extends LayoutBase<ILoggingEvent> {
    private static final long PID = ProcessHandle.current().pid();

    private final List<PythonLogFormat.Part> parts;
    private final DateTimeFormatter dates;
    private final LogKeys keys;

    PythonFormatLayout(List<PythonLogFormat.Part> parts, DateTimeFormatter dates, LogKeys keys) {
        this.parts = parts;
        this.dates = dates;
        this.keys = keys;
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        final StringBuilder line = new StringBuilder(128);
        for (PythonLogFormat.Part part : parts) {
            if (!part.isField()) {
                line.append(part.text());
                continue;
            }
            final String value = field(event, part.field());
            final int pad = part.width() - value.length();
            if (pad > 0 && !part.leftAlign()) {
                line.append(" ".repeat(pad));
            }
            line.append(value);
            if (pad > 0 && part.leftAlign()) {
                line.append(" ".repeat(pad));
            }
        }
        line.append('\n');
        final IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            line.append(ThrowableProxyUtil.asString(thrown)).append('\n');
        }
        return line.toString();
    }

    private String field(ILoggingEvent event, String field) {
        final Instant time = Instant.ofEpochMilli(event.getTimeStamp());
        return switch (field) {
            case "asctime" -> dates.format(time);
            case "created" -> String.valueOf(event.getTimeStamp() / 1000.0);
            case "msecs" -> String.valueOf(event.getTimeStamp() % 1000);
            case "name" -> event.getLoggerName();
            case "levelname" -> Levels.pythonName(event.getLevel());
            case "levelno" -> String.valueOf(Levels.pythonNumber(event.getLevel()));
            case "message" -> message(event, keys);
            case "process" -> String.valueOf(PID);
            case "threadName" -> event.getThreadName();
            default -> throw new IllegalStateException("unknown field " + field);
        };
    }

    /** The event's message; a relayed line's content through {@code log_keys}. */
    static String message(ILoggingEvent event, LogKeys keys) {
        final String content = relayed(event, "content");
        if (content == null) {
            return event.getFormattedMessage();
        }
        return "Received from " + relayed(event, "remote_addr") + ": " + Untrusted.whole(keys.forText(content));
    }

    /** @return a key-value of a relayed-line event, or null for any other event. */
    static String relayed(ILoggingEvent event, String key) {
        if (!RelayedLines.LOGGER.equals(event.getLoggerName()) || event.getKeyValuePairs() == null) {
            return null;
        }
        for (KeyValuePair pair : event.getKeyValuePairs()) {
            if (pair.key.equals(key)) {
                return String.valueOf(pair.value);
            }
        }
        return null;
    }
}
