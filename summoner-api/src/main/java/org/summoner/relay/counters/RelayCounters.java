package org.summoner.relay.counters;

import org.summoner.relay.wire.Rejection;
import org.summoner.relay.wire.ServerNotice;

import java.util.concurrent.atomic.LongAdder;

/**
 * The counters every engine keeps, so nothing is dropped silently: what came in, what went out, and every line
 * or delivery that was not made, by reason. Readers see them through {@code RunningServer.stats()}.
 *
 * <p>Thread-safe and allocation-free: any engine thread may add at any time. Engines on a hot path should
 * accumulate locally and add once per batch (one loop turn), not once per line.
 */
public final class RelayCounters {
    /** Why a frame from the cluster's backplane was refused ({@code summoner_cluster_frames_rejected_total}). */
    public enum FrameRejection {
        /** Not a frame of this protocol, or cut short. */
        MALFORMED("malformed"),
        /** Without a MAC, at a node that has {@code cluster.secret_file}: anyone on the backplane could have sent it. */
        UNAUTHENTICATED("unauthenticated"),
        /** With a MAC, at a node without a secret: the nodes' security settings differ. */
        SETTINGS_DIFFER("settings_differ"),
        /** Its MAC is not what the secret makes: forged, changed on the way, or another secret. */
        BAD_MAC("bad_mac"),
        /** Sent too long ago (or ahead) for this node's clock: captured and sent again later. */
        STALE("stale"),
        /** A sequence number of its node seen before, or of an earlier incarnation: sent again. */
        REPLAYED("replayed"),
        /**
         * Over this node's own bounds, whatever the sender's: a line longer than its {@code max_envelope_bytes}, or the
         * presence of a node beyond the most it keeps.
         */
        OVER_LIMIT("over_limit");

        private final String code;

        FrameRejection(String code) {
            this.code = code;
        }

        /** @return the reason as the metric's label and the log show it. */
        public String code() {
            return code;
        }
    }

    private final LongAdder connectionsOpened = new LongAdder();
    private final LongAdder connectionsClosed = new LongAdder();
    private final LongAdder linesReceived = new LongAdder();
    private final LongAdder bytesReceived = new LongAdder();
    private final LongAdder linesRelayed = new LongAdder();
    private final LongAdder deliveries = new LongAdder();
    private final LongAdder deliveriesDropped = new LongAdder();
    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder slowConsumerDisconnects = new LongAdder();
    private final LongAdder idleDisconnects = new LongAdder();
    private final LongAdder deadPeers = new LongAdder();
    private final LongAdder quarantines = new LongAdder();
    private final LongAdder throttles = new LongAdder();
    private final LongAdder flowControls = new LongAdder();
    private final LongAdder acceptErrors = new LongAdder();
    private final LongAdder configReloadsApplied = new LongAdder();
    private final LongAdder configReloadsRefused = new LongAdder();
    private final LongAdder handOffWaits = new LongAdder();
    private final LongAdder rejectedClosed = new LongAdder();
    private final LongAdder undeliverable = new LongAdder();
    private final LongAdder handshakesCompleted = new LongAdder();
    private final LongAdder handshakeTimeouts = new LongAdder();
    private final LongAdder tlsHandshakeFailures = new LongAdder();
    private final LongAdder tlsPlaintextRefused = new LongAdder();
    private final LongAdder tlsRenegotiationsRefused = new LongAdder();
    private final LongAdder clusterLinesSent = new LongAdder();
    private final LongAdder clusterLinesNotSent = new LongAdder();
    private final LongAdder clusterLinesReceived = new LongAdder();
    private final LongAdder clusterLinesLost = new LongAdder();
    private final LongAdder[] linesDropped = new LongAdder[ServerNotice.values().length];
    private final LongAdder[] linesRejected = new LongAdder[Rejection.values().length];
    private final LongAdder[] connectionsRejected = new LongAdder[ServerNotice.values().length];
    private final LongAdder[] clusterFramesRejected = new LongAdder[FrameRejection.values().length];

    public RelayCounters() {
        for (int i = 0; i < linesDropped.length; i++) {
            linesDropped[i] = new LongAdder();
            connectionsRejected[i] = new LongAdder();
        }
        for (int i = 0; i < linesRejected.length; i++) {
            linesRejected[i] = new LongAdder();
        }
        for (int i = 0; i < clusterFramesRejected.length; i++) {
            clusterFramesRejected[i] = new LongAdder();
        }
    }

    /** A frame from the cluster's backplane was refused, and dropped. */
    public void clusterFrameRejected(FrameRejection reason) {
        clusterFramesRejected[reason.ordinal()].increment();
    }

    public long clusterFramesRejected(FrameRejection reason) {
        return clusterFramesRejected[reason.ordinal()].sum();
    }

    /** Lines went to other nodes of the cluster in one frame (one per node each was sent to). */
    public void clusterLinesSent(int lines) {
        clusterLinesSent.add(lines);
    }

    /** Lines for other nodes were not sent: the backplane had no link, or stayed full past its bounded wait. */
    public void clusterLinesNotSent(int lines) {
        clusterLinesNotSent.add(lines);
    }

    /** A line from another node arrived for this one. */
    public void clusterLineReceived() {
        clusterLinesReceived.increment();
    }

    /**
     * {@code lines} from another node never arrived: its frames' line sequence skipped them (sent, then lost on the way:
     * a partition, a backplane that dropped its link with frames in flight).
     */
    public void clusterLinesLost(long lines) {
        clusterLinesLost.add(lines);
    }

    public long clusterLinesLost() {
        return clusterLinesLost.sum();
    }

    public long clusterLinesSent() {
        return clusterLinesSent.sum();
    }

    public long clusterLinesNotSent() {
        return clusterLinesNotSent.sum();
    }

    public long clusterLinesReceived() {
        return clusterLinesReceived.sum();
    }

    /** A routing mode refused a line, for the reason the sender was told. */
    public void lineRejected(Rejection reason) {
        linesRejected[reason.ordinal()].increment();
    }

    /** A client was closed after too many rejected lines ({@code invalid_attempts}). */
    public void closedAfterRejections() {
        rejectedClosed.increment();
    }

    /**
     * A valid line addressed to an identity no connection is bound to (dropped without a warning, SPEC section 7), or
     * a host directive's name with no participant connected (the host is told).
     */
    public void lineUndeliverable() {
        undeliverable.increment();
    }

    /** A connection completed its handshake ({@code handshake.required}): it is bound and may be relayed. */
    public void handshakeCompleted() {
        handshakesCompleted.increment();
    }

    /** A connection was not bound within {@code handshake.timeout_secs}, and was told and closed. */
    public void handshakeTimedOut() {
        handshakeTimeouts.increment();
    }

    /** A client's TLS handshake failed ({@code tls}); it was closed. */
    public void tlsHandshakeFailed() {
        tlsHandshakeFailures.increment();
    }

    /** A client spoke plaintext to the TLS port ({@code tls}); it was told and closed. */
    public void tlsPlaintextClientRefused() {
        tlsPlaintextRefused.increment();
    }

    /**
     * A client asked for a new TLS handshake on an established connection (a TLS 1.2 renegotiation, or a handshake
     * record after a TLS 1.3 handshake); it was refused and closed ({@code tls}).
     */
    public void tlsRenegotiationRefused() {
        tlsRenegotiationsRefused.increment();
    }

    public long tlsRenegotiationsRefused() {
        return tlsRenegotiationsRefused.sum();
    }

    public long tlsHandshakeFailures() {
        return tlsHandshakeFailures.sum();
    }

    public long tlsPlaintextRefused() {
        return tlsPlaintextRefused.sum();
    }

    public long handshakesCompleted() {
        return handshakesCompleted.sum();
    }

    public long handshakeTimeouts() {
        return handshakeTimeouts.sum();
    }

    public long linesRejected(Rejection reason) {
        return linesRejected[reason.ordinal()].sum();
    }

    public long rejectedClosed() {
        return rejectedClosed.sum();
    }

    public long undeliverable() {
        return undeliverable.sum();
    }

    /** A client is registered and will receive what is relayed from now on. */
    public void connectionOpened() {
        connectionsOpened.increment();
    }

    /** A client's connection is closed, for whatever reason. */
    public void connectionClosed() {
        connectionsClosed.increment();
    }

    /** Bytes read from clients, and the complete lines framed from them (relayed or not). */
    public void received(long lines, long bytes) {
        linesReceived.add(lines);
        bytesReceived.add(bytes);
    }

    /** Lines relayed, and the envelopes queued for their recipients (one per recipient per line). */
    public void relayed(long lines, long envelopes) {
        linesRelayed.add(lines);
        deliveries.add(envelopes);
    }

    /** Lines not relayed, for the reason the sender was told. */
    public void linesDropped(ServerNotice reason, long lines) {
        linesDropped[reason.ordinal()].add(lines);
    }

    /** Envelopes that were queued for a recipient but discarded because its connection closed first. */
    public void deliveriesDropped(long envelopes) {
        deliveriesDropped.add(envelopes);
    }

    /** Bytes written to client sockets (envelopes and notices). */
    public void sent(long bytes) {
        bytesSent.add(bytes);
    }

    /** A recipient was closed because it did not read fast enough and its queue reached the limit. */
    public void slowConsumerDisconnected() {
        slowConsumerDisconnects.increment();
    }

    /** A client was closed for sending nothing for {@code client_timeout_secs}. */
    public void idleDisconnected() {
        idleDisconnects.increment();
    }

    /** A reload of the configuration file was applied ({@code applied}), or refused for an error in it. */
    public void configReloaded(boolean applied) {
        (applied ? configReloadsApplied : configReloadsRefused).increment();
    }

    /** @return reloads of the configuration applied since start. */
    public long configReloadsApplied() {
        return configReloadsApplied.sum();
    }

    /** @return reloads of the configuration refused since start (the running configuration stayed). */
    public long configReloadsRefused() {
        return configReloadsRefused.sum();
    }

    /** A connection was freed because its peer stopped answering: TCP keepalive probes or retransmissions went unanswered. */
    public void deadPeer() {
        deadPeers.increment();
    }

    /** An address was quarantined after a slow consumer from it was closed. */
    public void quarantined() {
        quarantines.increment();
    }

    /** Reading from clients was paused for {@code throttle_delay_ms}. */
    public void throttled() {
        throttles.increment();
    }

    /** Reading from clients was paused for {@code flow_control_delay_ms}. */
    public void flowControlled() {
        flowControls.increment();
    }

    /** {@code accept()} failed (e.g. out of file descriptors); the acceptor backs off. */
    public void acceptFailed() {
        acceptErrors.increment();
    }

    /**
     * A hand-off between two engine threads (a queue or ring buffer of lines or envelopes) was full, and its
     * producer stopped taking more (typically by pausing reads) until there was room. Backpressure, not loss.
     */
    public void handOffWaited() {
        handOffWaits.increment();
    }

    /** A new connection was refused, for the reason the client was told. */
    public void connectionRejected(ServerNotice reason) {
        connectionsRejected[reason.ordinal()].increment();
    }

    public long connectionsOpened() {
        return connectionsOpened.sum();
    }

    public long connectionsClosed() {
        return connectionsClosed.sum();
    }

    public long linesReceived() {
        return linesReceived.sum();
    }

    public long bytesReceived() {
        return bytesReceived.sum();
    }

    public long linesRelayed() {
        return linesRelayed.sum();
    }

    public long deliveries() {
        return deliveries.sum();
    }

    public long deliveriesDropped() {
        return deliveriesDropped.sum();
    }

    public long bytesSent() {
        return bytesSent.sum();
    }

    public long slowConsumerDisconnects() {
        return slowConsumerDisconnects.sum();
    }

    public long linesDropped(ServerNotice reason) {
        return linesDropped[reason.ordinal()].sum();
    }

    public long idleDisconnects() {
        return idleDisconnects.sum();
    }

    public long deadPeers() {
        return deadPeers.sum();
    }

    public long quarantines() {
        return quarantines.sum();
    }

    public long throttles() {
        return throttles.sum();
    }

    public long flowControls() {
        return flowControls.sum();
    }

    public long acceptErrors() {
        return acceptErrors.sum();
    }

    public long handOffWaits() {
        return handOffWaits.sum();
    }

    public long connectionsRejected(ServerNotice reason) {
        return connectionsRejected[reason.ordinal()].sum();
    }
}
