package org.summoner.relay;

import org.summoner.relay.spi.RelayCounters;
import org.summoner.relay.wire.ServerNotice;

/**
 * A snapshot of a server's counters. Each value is read separately, so a snapshot taken under load may be off by
 * the lines in flight between two reads; totals are exact once the server is quiet.
 *
 * @param connectionsOpened       clients registered since start.
 * @param connectionsClosed       clients closed since start, for any reason.
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
        long droppedRateLimited) {

    public static RelayStats of(RelayCounters counters) {
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
                counters.linesDropped(ServerNotice.RATE_LIMITED));
    }

    /** @return clients connected at the time of the snapshot. */
    public long connectionsOpen() {
        return connectionsOpened - connectionsClosed;
    }
}
