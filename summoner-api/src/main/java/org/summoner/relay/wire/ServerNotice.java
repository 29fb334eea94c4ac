package org.summoner.relay.wire;

import java.nio.charset.StandardCharsets;

/**
 * The plain-text lines the server itself sends to a client (SPEC section 5). They are not JSON; each ends in
 * {@code \n}.
 *
 * <p>The same value names the reason a line was not relayed, so a drop has one name from the place it happens
 * (framer, policy) to the counter that records it and the line that tells the client.
 */
public enum ServerNotice {
    /** The sender exceeded its rate limit; the line was not relayed. */
    RATE_LIMITED("Warning: You are sending messages too quickly. Please slow down."),
    /** The client sent nothing for longer than {@code client_timeout_secs}; it is then closed. */
    IDLE_TIMEOUT("Warning: You have been disconnected due to inactivity."),
    /** The server is shutting down; every client is then closed. */
    SHUTTING_DOWN("Warning: Server is shutting down."),
    /** A line longer than {@code max_line_bytes} was discarded; the connection stays open. */
    LINE_TOO_LONG("Warning: Line exceeds max_line_bytes (%d bytes) and was dropped."),
    /** A line that is not valid UTF-8 was discarded; the connection stays open. */
    INVALID_UTF8("Warning: Line is not valid UTF-8 and was dropped.");

    private final String template;

    ServerNotice(String template) {
        this.template = template;
    }

    /**
     * @param maxLineBytes the configured {@code max_line_bytes}, which {@link #LINE_TOO_LONG} quotes.
     * @return the line without its terminating {@code \n}.
     */
    public String text(int maxLineBytes) {
        return this == LINE_TOO_LONG ? String.format(template, maxLineBytes) : template;
    }

    /**
     * @param maxLineBytes the configured {@code max_line_bytes}, which {@link #LINE_TOO_LONG} quotes.
     * @return a new array holding the UTF-8 line with its {@code \n}; engines build it once and share it.
     */
    public byte[] toBytes(int maxLineBytes) {
        return (text(maxLineBytes) + '\n').getBytes(StandardCharsets.UTF_8);
    }
}
