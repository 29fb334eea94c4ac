package org.summoner.relay.bench.load;

import java.util.List;
import java.util.function.Supplier;

/**
 * One load run, as {@code summoner-load run} was asked for it.
 *
 * @param rate            lines per second over all senders; 0 means as fast as the window allows (closed loop).
 * @param window          closed loop only: lines one sender may have in flight (sent, not yet received by all).
 * @param receiverThreads threads reading the receivers' sockets.
 * @param receiverPorts   the ports the receivers connect to, in turn (several nodes of a relay cluster); empty: {@code port}.
 * @param serverPids      the server's processes (every node of a cluster), whose CPU time is read over the measured
 *                        window and summed; empty when unknown.
 * @param shape           how a Summoner sender wraps each payload (plain for the other protocols).
 * @param hello           makes the line each sender sends first, once per sender (a host's signed binding envelope,
 *                        fresh, since the relay takes one only once), or null.
 */
record LoadOptions(
        String label,
        String scenario,
        Protocol protocol,
        String host,
        int port,
        List<Integer> receiverPorts,
        int senders,
        int receivers,
        int lineBytes,
        long rate,
        int window,
        int warmupSeconds,
        int durationSeconds,
        int drainSeconds,
        int receiverThreads,
        List<Long> serverPids,
        Shape shape,
        Supplier<String> hello,
        boolean progress) {

    /** @return the port receiver {@code i} connects to. */
    int receiverPort(int i) {
        return receiverPorts.isEmpty() ? port : receiverPorts.get(i % receiverPorts.size());
    }

    boolean closedLoop() {
        return rate == 0;
    }
}
