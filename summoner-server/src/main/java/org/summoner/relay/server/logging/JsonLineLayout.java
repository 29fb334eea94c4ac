package org.summoner.relay.server.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.format.DateTimeFormatter;

/**
 * {@code enable_json_log}: one JSON object per line with upstream Summoner's fields ({@code logger.py}'s
 * {@code JsonFormatter}, the Rust server's file log): {@code timestamp} (the strftime {@code date_format}),
 * {@code name} (the server's name), {@code level} (Python's name), {@code message}. A relayed line's message is, as
 * the Rust server writes it, an object: {@code remote_addr}, and {@code content} as the JSON value the line is (through
 * {@code log_keys}) or the line as a string. Ours, after those: {@code logger}, the Java logger that wrote the line,
 * and {@code exception}, a stack trace when there is one. Every character outside ASCII is written as
 * {@code \}{@code uXXXX}, as Python's {@code json.dumps} does by default: a line separator, a C1 control or a
 * bidirectional override in what a client sent can neither split a log line for a reader that splits on them nor
 * reorder it on a terminal.
 */
final class JsonLineLayout extends LayoutBase<ILoggingEvent> {
    private static final ObjectMapper MAPPER = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    private final DateTimeFormatter dates;
    private final LogKeys keys;
    private final String serverName;

    JsonLineLayout(DateTimeFormatter dates, LogKeys keys, String serverName) {
        this.dates = dates;
        this.keys = keys;
        this.serverName = serverName;
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        final ObjectNode line = MAPPER.createObjectNode();
        line.put("timestamp", dates.format(Instant.ofEpochMilli(event.getTimeStamp())));
        line.put("name", serverName);
        line.put("level", Levels.pythonName(event.getLevel()));
        final String content = PythonFormatLayout.relayed(event, "content");
        if (content != null) {
            final ObjectNode message = line.putObject("message");
            message.put("remote_addr", PythonFormatLayout.relayed(event, "remote_addr"));
            message.set("content", keys.forJson(content));
        } else {
            line.put("message", event.getFormattedMessage());
        }
        line.put("logger", event.getLoggerName());
        final IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            line.put("exception", ThrowableProxyUtil.asString(thrown));
        }
        try {
            return MAPPER.writeValueAsString(line) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers always writes", e);
        }
    }
}
