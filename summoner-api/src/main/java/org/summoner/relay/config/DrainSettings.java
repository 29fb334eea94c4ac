package org.summoner.relay.config;

/**
 * {@code drain} (ours): how the relay leaves for a rolling upgrade ({@code kill -USR2}, {@code RunningServer.drain}).
 *
 * @param periodSecs the time over which the clients are told to reconnect and closed, a few at a time; 0 tells them
 *                   all at once. The process ends when the last one is gone or the period is over.
 * @param reusePort  whether the client port is bound with {@code SO_REUSEPORT}, so that the next version can bind it
 *                   while this one drains. Off by default: with it, a second relay started on the same port by mistake
 *                   shares the clients with the first (two rooms that do not hear each other) instead of failing with
 *                   "Address already in use". Linux lets only a process of the same effective user join the port.
 */
public record DrainSettings(long periodSecs, boolean reusePort) {
    /** {@code drain.period_secs} by default. */
    public static final long DEFAULT_PERIOD_SECS = 30;
    /** The longest {@code drain.period_secs}: a day. */
    public static final long MAX_PERIOD_SECS = 86_400;
    public static final DrainSettings DEFAULT = new DrainSettings(DEFAULT_PERIOD_SECS, false);
}
