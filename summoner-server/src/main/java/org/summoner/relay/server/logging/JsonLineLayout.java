package org.summoner.relay.server.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.format.DateTimeFormatter;

/**
 * {@code enable_json_log}: one JSON object per line, {@code time} (the strftime {@code date_format}),
 * {@code level} (Python's name), {@code logger}, {@code message}; a relayed line adds {@code remote_addr} and
 * {@code content}, the latter as the JSON object with only {@code log_keys} when the line is JSON and they are set.
 */
final class JsonLineLayout extends LayoutBase<ILoggingEvent> {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final DateTimeFormatter dates;
    private final LogKeys keys;

    JsonLineLayout(DateTimeFormatter dates, LogKeys keys) {
        this.dates = dates;
        this.keys = keys;
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        final ObjectNode line = MAPPER.createObjectNode();
        line.put("time", dates.format(Instant.ofEpochMilli(event.getTimeStamp())));
        line.put("level", Levels.pythonName(event.getLevel()));
        line.put("logger", event.getLoggerName());
        line.put("message", PythonFormatLayout.message(event, keys));
        final String content = PythonFormatLayout.relayed(event, "content");
        if (content != null) {
            line.put("remote_addr", PythonFormatLayout.relayed(event, "remote_addr"));
            final ObjectNode pruned = keys.prunedObject(content);
            if (pruned != null) {
                line.set("content", pruned);
            } else {
                line.put("content", content);
            }
        }
        final IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            line.put("exception", ThrowableProxyUtil.asString(thrown));
        }
        return line.toString() + "\n";
    }
}
