package org.summoner.relay.counters;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.wire.Untrusted;

import java.nio.charset.StandardCharsets;

/**
 * The one logger of relayed lines, {@code org.summoner.relay.lines}, at DEBUG only (the reference logs every line at
 * INFO; a default server here never pays for it). Each line is logged with the reference's message,
 * {@code Received from 127.0.0.1:50000: hello}, and with {@code remote_addr} and {@code content} as key-value pairs
 * for structured output. Engines check {@link #enabled()} before building anything.
 */
public final class RelayedLines {
    /** The logger's name, for a logging configuration that wants relayed lines at DEBUG and the rest at INFO. */
    public static final String LOGGER = "org.summoner.relay.lines";
    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    private RelayedLines() {
    }

    /** @return whether relayed lines are logged: cheap enough for every line. */
    public static boolean enabled() {
        return log.isDebugEnabled();
    }

    /** Logs one relayed line (valid UTF-8, without its newline) and its sender. */
    public static void received(String remoteAddr, byte[] line, int offset, int length) {
        final String content = new String(line, offset, length, StandardCharsets.UTF_8);
        log.atDebug()
                .addKeyValue("remote_addr", remoteAddr)
                .addKeyValue("content", content) // as sent: a structured layout (JSON) escapes it
                .log("Received from {}: {}", remoteAddr, Untrusted.text(content)); // a line of text: nothing can end it early
    }
}
