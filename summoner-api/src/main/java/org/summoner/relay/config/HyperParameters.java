package org.summoner.relay.config;

import java.util.OptionalLong;

/**
 * {@code hyper_parameters}: limits and tuning shared by every engine (SPEC section 6). The keys of the reference
 * Rust server keep their names and defaults; {@code max_line_bytes}, {@code max_envelope_bytes},
 * {@code max_queued_bytes}, the connection limits and {@code peer_trust} are ours.
 *
 * @param clientTimeoutSecs empty unless {@code client_timeout_secs} is set: then a client that sends no line for that
 *                          long is closed. Unset (absent or null), silence closes nobody: an agent that only listens
 *                          sends nothing, and {@code tcp_keepalive} finds the peers that are gone.
 * @param maxLineBytes      the longest line content relayed; longer lines are dropped with a warning.
 * @param maxEnvelopeBytes  the longest line written to a client, {@code \n} included: a line whose envelope would
 *                          be longer is dropped with a warning (the Summoner Python client cannot read longer lines).
 * @param maxQueuedBytes    bytes waiting for one recipient beyond which it is closed as a slow consumer.
 * @param maxConnections    clients connected at once, 0 for no limit but the operating system's.
 * @param maxConnectionsPerIp clients connected at once from one address, 0 for no limit.
 * @param maxBufferedInputBytes what all clients' unfinished lines, and input held for a later turn, may hold together.
 * @param peerTrust         {@code peer_trust}: the networks trusted, allowed and denied.
 * @param routing           {@code routing} and the settings of its modes ({@code dedicated_relay}, {@code hosted_relay}).
 * @param handshake         {@code handshake}: off unless {@code required}.
 * @param tcpKeepalive      {@code tcp_keepalive} on every client socket, or null ({@code "tcp_keepalive": null}) for none.
 */
public record HyperParameters(
        int connectionBufferSize,
        int commandBufferSize,
        int controlChannelCapacity,
        int queueMonitorCapacity,
        OptionalLong clientTimeoutSecs,
        int rateLimitMsgsPerMinute,
        long timeoutCheckIntervalSecs,
        long throttleDelayMs,
        long flowControlDelayMs,
        BackpressurePolicy backpressurePolicy,
        long quarantineCooldownSecs,
        long quarantineCleanupIntervalSecs,
        long acceptErrorBackoffMs,
        int workerThreads,
        int maxLineBytes,
        int maxEnvelopeBytes,
        long maxQueuedBytes,
        int maxConnections,
        int maxConnectionsPerIp,
        long maxBufferedInputBytes,
        PeerTrust peerTrust,
        Routing routing,
        Handshake handshake,
        TcpKeepalive tcpKeepalive) {
}
