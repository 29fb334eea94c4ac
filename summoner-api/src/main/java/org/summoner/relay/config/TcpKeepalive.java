package org.summoner.relay.config;

/**
 * {@code hyper_parameters.tcp_keepalive} (ours): TCP keepalive on every client socket, how a relay finds a peer that
 * vanished without a FIN or a reset (its machine lost power, its network went away, a NAT forgot it). After
 * {@code idle_secs} with nothing received, the kernel sends a probe every {@code interval_secs}; after {@code count}
 * unanswered probes the connection fails, and the relay frees it, counts it and logs it. A live peer's kernel answers
 * the probes itself, so an agent that only listens is never closed by them. The defaults free a vanished peer within
 * {@link #boundSecs()} = 60 + 4 x 15 = 120 s.
 *
 * <p>Keepalive probes go only while nothing the relay sent waits for the peer's acknowledgement; while something does,
 * the kernel's retransmission timeout ({@code net.ipv4.tcp_retries2}, about 15 minutes on Linux by default) ends a
 * connection to a vanished peer instead, unless its output backlog closes it as a slow consumer first.
 *
 * @param idleSecs     seconds without input before the first probe (Linux {@code TCP_KEEPIDLE}).
 * @param intervalSecs seconds between probes ({@code TCP_KEEPINTVL}).
 * @param count        unanswered probes before the connection fails ({@code TCP_KEEPCNT}).
 */
public record TcpKeepalive(int idleSecs, int intervalSecs, int count) {
    /** The most seconds Linux takes for {@code TCP_KEEPIDLE} and {@code TCP_KEEPINTVL}. */
    public static final int MAX_SECS = 32_767;
    /** The most probes Linux takes for {@code TCP_KEEPCNT}. */
    public static final int MAX_COUNT = 127;
    /** 60 s idle, then 4 probes 15 s apart: a vanished peer is freed within 2 minutes. */
    public static final TcpKeepalive DEFAULT = new TcpKeepalive(60, 15, 4);

    /** @return the longest a silent, vanished peer keeps its connection: {@code idle + interval x count} seconds. */
    public long boundSecs() {
        return idleSecs + (long) intervalSecs * count;
    }
}
