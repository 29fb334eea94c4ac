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
    /**
     * Ours: the server is draining for a rolling upgrade ({@code kill -USR2}); the client is then closed, and the next
     * version (or another node) takes it when it reconnects.
     */
    DRAINING("Warning: Server is draining; reconnect."),
    /** A line longer than {@code max_line_bytes} was discarded; the connection stays open. */
    LINE_TOO_LONG("Warning: Line exceeds max_line_bytes (%d bytes) and was dropped."),
    /** A line that is not valid UTF-8 was discarded; the connection stays open. */
    INVALID_UTF8("Warning: Line is not valid UTF-8 and was dropped."),
    /**
     * Ours: the line's envelope would be longer than {@code max_envelope_bytes}, the longest line a client is
     * written; it was discarded and the connection stays open.
     */
    ENVELOPE_TOO_LONG("Warning: Line exceeds max_envelope_bytes (%d bytes) once wrapped and was dropped."),
    /**
     * Ours: the line needed more of {@code max_buffered_input_bytes}, which the unfinished lines of all clients together
     * have spent; it was discarded up to its end and the connection stays open.
     */
    INPUT_FULL("Warning: Server holds too much unfinished input (max_buffered_input_bytes); the line was dropped."),
    /**
     * Ours: the line needs a signature check and {@code verification.max_waiting} lines wait for one already (half of
     * them, for a client with a recent invalid attempt); it was discarded and the connection stays open.
     */
    VERIFICATION_BUSY("Warning: Server is busy checking signatures (verification.max_waiting); the line was dropped."),
    /** Ours: a routing mode refused the line, for the {@link Rejection} it quotes; the connection stays open. */
    REJECTED("Warning: Line rejected (%s) and was not relayed."),
    /** Ours: the address was closed as a slow consumer and may not reconnect yet; it is then closed. */
    QUARANTINED("Warning: Your address is quarantined for %d more seconds after falling too far behind; disconnecting."),
    /** Ours: {@code max_connections} clients are connected; it is then closed. */
    SERVER_FULL("Warning: Server is full (max_connections %d); disconnecting."),
    /** Ours: {@code max_connections_per_ip} clients are connected from this address; it is then closed. */
    TOO_MANY_CONNECTIONS("Warning: Too many connections from your address (max_connections_per_ip %d); disconnecting."),
    /** Ours: the address is outside {@code peer_trust.allow_networks} or inside {@code deny_networks}; it is then closed. */
    NOT_ALLOWED("Warning: Your address is not allowed on this server; disconnecting."),
    /**
     * Ours: a reload removed the identity this connection is bound to from {@code peer_trust.allowed_fingerprints}; it
     * is then closed.
     */
    IDENTITY_NOT_ALLOWED("Warning: Your identity is no longer allowed on this server; disconnecting."),
    /** Ours: {@code routing: hosted}, a participant's line and no host connected; the connection stays open. */
    NO_HOST("Warning: No host is connected; the line was not relayed."),
    /** Ours: a host directive named a client that is not connected (the name it quotes); the connection stays open. */
    RECIPIENT_NOT_CONNECTED("Warning: Recipient not connected: %s."),
    /** Ours: {@code handshake.required}, a line before the connection is bound; the connection stays open. */
    HANDSHAKE_REQUIRED("Warning: Handshake required; the line was not relayed."),
    /** Ours: {@code handshake.required}, the connection was not bound within {@code timeout_secs}; it is then closed. */
    HANDSHAKE_TIMEOUT("Warning: Handshake not completed within %d seconds; disconnecting."),
    /**
     * Ours: handling this connection made the server's code fail (a fault the barrier caught and counted, SPEC section
     * 10); it is then closed, and every other connection is served on.
     */
    FAULT("Warning: Server error on your connection; disconnecting.");

    private final String template;

    ServerNotice(String template) {
        this.template = template;
    }

    /** @return whether this notice refuses a new connection at admission (built by the admission control, with the numbers of its moment). */
    public boolean atAdmission() {
        return this == QUARANTINED || this == SERVER_FULL || this == TOO_MANY_CONNECTIONS || this == NOT_ALLOWED;
    }

    /**
     * @param quoted what the notice quotes: {@code max_line_bytes}, {@code max_envelope_bytes}, the seconds of
     *               quarantine left, the connection limit, a rejection's code, a recipient's name or the handshake's
     *               seconds; ignored by notices that quote none.
     * @return the line without its terminating {@code \n}.
     */
    public String text(Object quoted) {
        return template.indexOf('%') >= 0 ? String.format(template, quoted) : template;
    }

    /**
     * @param quoted as for {@link #text(long)}.
     * @return a new array holding the UTF-8 line with its {@code \n}; engines build fixed ones once and share them.
     */
    public byte[] toBytes(Object quoted) {
        return (text(quoted) + '\n').getBytes(StandardCharsets.UTF_8);
    }
}
