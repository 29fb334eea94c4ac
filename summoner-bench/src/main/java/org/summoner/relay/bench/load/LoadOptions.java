package org.summoner.relay.bench.load;

/**
 * One load run, as {@code summoner-load run} was asked for it.
 *
 * @param rate            lines per second over all senders; 0 means as fast as the window allows (closed loop).
 * @param window          closed loop only: lines one sender may have in flight (sent, not yet received by all).
 * @param receiverThreads threads reading the receivers' sockets.
 * @param serverPid       the server's process, whose CPU time is read over the measured window; 0 when unknown.
 * @param shape           how a Summoner sender wraps each payload (plain for the other protocols).
 * @param hello           a line each sender sends first (e.g. a host's signed binding envelope), or null.
 */
record LoadOptions(
        String label,
        String scenario,
        Protocol protocol,
        String host,
        int port,
        int senders,
        int receivers,
        int lineBytes,
        long rate,
        int window,
        int warmupSeconds,
        int durationSeconds,
        int drainSeconds,
        int receiverThreads,
        long serverPid,
        Shape shape,
        String hello,
        boolean progress) {

    boolean closedLoop() {
        return rate == 0;
    }
}
