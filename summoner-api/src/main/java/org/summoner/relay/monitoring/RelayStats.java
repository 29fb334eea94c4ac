package org.summoner.relay.monitoring;

import org.summoner.relay.core.Faults;
import org.summoner.relay.core.RelayCore;
import org.summoner.relay.counters.RelayCounters;
import org.summoner.relay.counters.RelayCounters.FrameRejection;
import org.summoner.relay.wire.Rejection;
import org.summoner.relay.wire.ServerNotice;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * A snapshot of a server's counters. Each value is read separately, so a snapshot taken under load may be off by
 * the lines in flight between two reads; totals are exact once the server is quiet.
 *
 * @param connectionsOpened       clients registered since start (over TLS: once their handshake was done).
 * @param connectionsClosed       of those, clients closed since start, for any reason.
 * @param linesReceived           complete lines framed from clients, relayed or not.
 * @param bytesReceived           bytes read from clients.
 * @param linesRelayed            lines relayed to the other clients.
 * @param deliveries              envelopes queued for recipients: one per recipient per relayed line.
 * @param deliveriesDropped       queued envelopes discarded because the recipient's connection closed first.
 * @param bytesSent               bytes written to clients, envelopes and notices.
 * @param slowConsumerDisconnects recipients closed for not reading fast enough.
 * @param droppedTooLong          lines dropped for exceeding {@code max_line_bytes}.
 * @param droppedInvalidUtf8      lines dropped for not being valid UTF-8.
 * @param droppedRateLimited      lines dropped for exceeding {@code rate_limit_msgs_per_minute}.
 * @param droppedEnvelopeTooLong  lines dropped because their envelope would exceed {@code max_envelope_bytes}.
 * @param droppedNoHost           participants' lines dropped because no host was connected ({@code routing: hosted}).
 * @param droppedHandshakeRequired lines refused before their connection completed its handshake.
 * @param droppedInputFull        lines dropped because {@code max_buffered_input_bytes} was spent by all clients'
 *                                unfinished lines together.
 * @param droppedVerificationBusy lines dropped because {@code verification.max_waiting} lines waited for a signature
 *                                check already.
 * @param idleDisconnects         clients closed for sending nothing for {@code client_timeout_secs}.
 * @param deadPeers               connections freed because the peer stopped answering (TCP keepalive probes, or
 *                                retransmissions, unanswered): a peer that vanished without a FIN.
 * @param quarantines             addresses quarantined after a slow consumer from them was closed.
 * @param quarantinedAddresses    addresses on the quarantine list now (a gauge).
 * @param rejectedQuarantined     connections refused because their address was quarantined.
 * @param rejectedServerFull      connections refused at {@code max_connections}.
 * @param rejectedPerAddress      connections refused at {@code max_connections_per_ip}.
 * @param rejectedNotAllowed      connections refused by {@code peer_trust.allow_networks} or {@code deny_networks}.
 * @param throttles               pauses of {@code throttle_delay_ms} in reading from clients.
 * @param flowControls            pauses of {@code flow_control_delay_ms} in reading from clients.
 * @param acceptErrors            failed accepts (e.g. out of file descriptors), each followed by a back-off.
 * @param handOffWaits            times a hand-off between engine threads was full and its producer waited for
 *                                room (reading paused meanwhile): backpressure inside the engine, never loss.
 * @param rejected                lines a routing mode refused, by reason code ({@code bad_envelope_signature}, ...);
 *                                only the reasons that occurred.
 * @param rejectedClosed          clients closed after too many rejected lines ({@code invalid_attempts}).
 * @param undeliverable           valid lines addressed to an identity no connection was bound to, and host directives'
 *                                names with no participant connected.
 * @param boundIdentities         identities bound to at least one connection now (a gauge).
 * @param verificationWaiting     signed lines waiting for a verification thread now (a gauge; {@code verification}).
 * @param hostsConnected          connections bound as hosts now ({@code hosted}, {@code hybrid}; a gauge).
 * @param handshakesCompleted     connections that completed the handshake ({@code handshake.required}).
 * @param handshakeTimeouts       connections closed for not completing it within {@code handshake.timeout_secs}.
 * @param tlsHandshakeFailures    connections closed because their TLS handshake failed ({@code tls}).
 * @param tlsPlaintextRefused     connections that spoke plaintext to the TLS port, told and closed ({@code tls}).
 * @param tlsRenegotiationsRefused connections closed for asking for a new TLS handshake once theirs was done (a
 *                                client-initiated TLS 1.2 renegotiation, or a handshake record after a TLS 1.3
 *                                handshake; {@code tls}).
 * @param clusterLinesSent        lines sent to other nodes of the cluster, one per node ({@code cluster}).
 * @param clusterLinesNotSent     lines for other nodes not sent: no backplane link, or back pressure past its wait.
 * @param clusterLinesReceived    lines from other nodes for this one.
 * @param clusterLinesLost        lines from other nodes that never arrived, by the gaps in their frames' line sequence.
 * @param clusterNodes            the other nodes this one hears from now (a gauge).
 * @param clusterFramesRejected   frames from the backplane refused and dropped, by reason code
 *                                ({@code bad_mac}, {@code replayed}, ...); only the reasons that occurred.
 * @param faultsLine              faults caught at the barrier while handling a client's bytes or line (SPEC 10): the
 *                                client was told and closed, every other connection served on.
 * @param faultsTimer             faults caught in a timed duty (idle sweep, handshake deadline, goodbye).
 * @param faultsCluster           faults caught while handling a frame from another node (the frame was dropped).
 * @param faultsEngine            faults caught in an engine's own handling of a connection (a write, a hand-off).
 * @param configReloadsApplied    reloads of the configuration file applied ({@code RunningServer.reload}, SIGHUP).
 * @param configReloadsRefused    reloads refused for an error in the file: the running configuration stayed.
 */
public record RelayStats(
        long connectionsOpened,
        long connectionsClosed,
        long linesReceived,
        long bytesReceived,
        long linesRelayed,
        long deliveries,
        long deliveriesDropped,
        long bytesSent,
        long slowConsumerDisconnects,
        long droppedTooLong,
        long droppedInvalidUtf8,
        long droppedRateLimited,
        long droppedEnvelopeTooLong,
        long droppedNoHost,
        long droppedHandshakeRequired,
        long droppedInputFull,
        long droppedVerificationBusy,
        long idleDisconnects,
        long deadPeers,
        long quarantines,
        long quarantinedAddresses,
        long rejectedQuarantined,
        long rejectedServerFull,
        long rejectedPerAddress,
        long rejectedNotAllowed,
        long throttles,
        long flowControls,
        long acceptErrors,
        long handOffWaits,
        Map<String, Long> rejected,
        long rejectedClosed,
        long undeliverable,
        long boundIdentities,
        long verificationWaiting,
        long hostsConnected,
        long handshakesCompleted,
        long handshakeTimeouts,
        long tlsHandshakeFailures,
        long tlsPlaintextRefused,
        long tlsRenegotiationsRefused,
        long clusterLinesSent,
        long clusterLinesNotSent,
        long clusterLinesReceived,
        long clusterLinesLost,
        long clusterNodes,
        Map<String, Long> clusterFramesRejected,
        long faultsLine,
        long faultsTimer,
        long faultsCluster,
        long faultsEngine,
        long configReloadsApplied,
        long configReloadsRefused) {

    /** @return a snapshot of the counters and gauges of {@code core}'s server. */
    public static RelayStats of(RelayCore core) {
        final RelayCounters counters = core.counters();
        final Faults faults = core.faults();
        final Map<String, Long> rejected = byCode(Rejection.values(), Rejection::code, counters::linesRejected);
        final Map<String, Long> framesRejected = byCode(FrameRejection.values(), FrameRejection::code,
                counters::clusterFramesRejected);
        return new RelayStats(
                counters.connectionsOpened(),
                counters.connectionsClosed(),
                counters.linesReceived(),
                counters.bytesReceived(),
                counters.linesRelayed(),
                counters.deliveries(),
                counters.deliveriesDropped(),
                counters.bytesSent(),
                counters.slowConsumerDisconnects(),
                counters.linesDropped(ServerNotice.LINE_TOO_LONG),
                counters.linesDropped(ServerNotice.INVALID_UTF8),
                counters.linesDropped(ServerNotice.RATE_LIMITED),
                counters.linesDropped(ServerNotice.ENVELOPE_TOO_LONG),
                counters.linesDropped(ServerNotice.NO_HOST),
                counters.linesDropped(ServerNotice.HANDSHAKE_REQUIRED),
                counters.linesDropped(ServerNotice.INPUT_FULL),
                counters.linesDropped(ServerNotice.VERIFICATION_BUSY),
                counters.idleDisconnects(),
                counters.deadPeers(),
                counters.quarantines(),
                core.policy().admission().quarantinedAddresses(),
                counters.connectionsRejected(ServerNotice.QUARANTINED),
                counters.connectionsRejected(ServerNotice.SERVER_FULL),
                counters.connectionsRejected(ServerNotice.TOO_MANY_CONNECTIONS),
                counters.connectionsRejected(ServerNotice.NOT_ALLOWED),
                counters.throttles(),
                counters.flowControls(),
                counters.acceptErrors(),
                counters.handOffWaits(),
                rejected,
                counters.rejectedClosed(),
                counters.undeliverable(),
                core.bindings().size(),
                core.verificationsWaiting(),
                core.hostsConnected(),
                counters.handshakesCompleted(),
                counters.handshakeTimeouts(),
                counters.tlsHandshakeFailures(),
                counters.tlsPlaintextRefused(),
                counters.tlsRenegotiationsRefused(),
                counters.clusterLinesSent(),
                counters.clusterLinesNotSent(),
                counters.clusterLinesReceived(),
                counters.clusterLinesLost(),
                core.otherNodes() == null ? 0 : core.otherNodes().nodes().size(),
                framesRejected,
                faults.count(Faults.Where.LINE),
                faults.count(Faults.Where.TIMER),
                faults.count(Faults.Where.CLUSTER),
                faults.count(Faults.Where.ENGINE),
                counters.configReloadsApplied(),
                counters.configReloadsRefused());
    }

    /** @return the counts by reason code of the reasons that occurred, sorted by code. */
    private static <R> Map<String, Long> byCode(R[] reasons, Function<R, String> code, ToLongFunction<R> count) {
        final Map<String, Long> counts = new TreeMap<>();
        for (R reason : reasons) {
            final long n = count.applyAsLong(reason);
            if (n > 0) {
                counts.put(code.apply(reason), n);
            }
        }
        return Collections.unmodifiableMap(counts);
    }

    /** @return every line a routing mode refused, whatever the reason. */
    public long linesRejected() {
        long total = 0;
        for (long count : rejected.values()) {
            total += count;
        }
        return total;
    }

    /** @return the lines refused for one reason. */
    public long rejected(Rejection reason) {
        return rejected.getOrDefault(reason.code(), 0L);
    }

    /** @return the frames from the backplane refused for one reason. */
    public long clusterFramesRejected(FrameRejection reason) {
        return clusterFramesRejected.getOrDefault(reason.code(), 0L);
    }

    /** @return clients connected at the time of the snapshot. */
    public long connectionsOpen() {
        return connectionsOpened - connectionsClosed;
    }

    /** @return every line not relayed, whatever the reason. */
    public long linesDropped() {
        return droppedTooLong + droppedInvalidUtf8 + droppedRateLimited + droppedEnvelopeTooLong + droppedNoHost
                + droppedHandshakeRequired + droppedInputFull + droppedVerificationBusy;
    }

    /** @return every fault the barrier caught, wherever it entered. */
    public long faults() {
        return faultsLine + faultsTimer + faultsCluster + faultsEngine;
    }

    /** @return every connection refused, whatever the reason. */
    public long connectionsRejected() {
        return rejectedQuarantined + rejectedServerFull + rejectedPerAddress + rejectedNotAllowed;
    }

    /** The one-line summary the server logs once a minute while anything changes. */
    public String summary() {
        return "stats: " + connectionsOpen() + " connected, " + connectionsOpened + " opened; lines " + linesReceived
                + " in, " + linesRelayed + " relayed, " + linesDropped() + " dropped (" + droppedTooLong + " too long, "
                + droppedInvalidUtf8 + " invalid UTF-8, " + droppedRateLimited + " rate-limited, " + droppedEnvelopeTooLong
                + " envelope too long, " + droppedNoHost + " no host, " + droppedHandshakeRequired + " before handshake, "
                + droppedInputFull + " input full); deliveries "
                + deliveries + ", " + deliveriesDropped + " dropped; bytes " + bytesReceived + " in, " + bytesSent
                + " out; slow consumers " + slowConsumerDisconnects + ", idle closed " + idleDisconnects + ", dead peers freed " + deadPeers
                + ", quarantines " + quarantines + " (" + quarantinedAddresses + " now), rejected " + connectionsRejected()
                + ", pauses " + throttles + " throttle + " + flowControls + " flow control, accept errors " + acceptErrors
                + ", hand-off waits " + handOffWaits + "; rejected " + linesRejected() + (rejected.isEmpty() ? "" : " " + rejected)
                + ", closed after rejections " + rejectedClosed + ", undeliverable " + undeliverable + ", bound identities "
                + boundIdentities + ", hosts " + hostsConnected + ", handshakes " + handshakesCompleted + " done + "
                + handshakeTimeouts + " timed out" + (tlsHandshakeFailures + tlsPlaintextRefused + tlsRenegotiationsRefused == 0 ? ""
                : ", TLS handshakes failed " + tlsHandshakeFailures + ", plaintext refused " + tlsPlaintextRefused
                + ", renegotiations refused " + tlsRenegotiationsRefused)
                + (clusterNodes + clusterLinesSent + clusterLinesNotSent + clusterLinesReceived == 0 ? ""
                : "; cluster: " + clusterNodes + " other nodes, lines " + clusterLinesSent + " sent, " + clusterLinesNotSent
                + " not sent, " + clusterLinesReceived + " received" + (clusterLinesLost == 0 ? "" : ", " + clusterLinesLost + " lost on the way"))
                + (clusterFramesRejected.isEmpty() ? "" : "; cluster frames rejected " + clusterFramesRejected)
                + (faults() == 0 ? "" : "; faults " + faults() + " (line " + faultsLine + ", timer " + faultsTimer
                + ", cluster " + faultsCluster + ", engine " + faultsEngine + ")");
    }
}
