package org.summoner.relay.netty;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.counters.LogThrottle;
import org.summoner.relay.counters.RelayCounters;

import java.util.concurrent.TimeUnit;

/**
 * On the listening channel, ahead of Netty's acceptor: a failed accept (typically out of file descriptors) is
 * counted, logged at most every 10 s, and answered by not accepting for {@code accept_error_backoff_ms} (Netty's
 * own acceptor would wait a fixed second). Connected clients are served meanwhile.
 */
@ChannelHandler.Sharable
final class AcceptErrorBackoff extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(AcceptErrorBackoff.class);
    private static final long WARNING_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final RelayCounters counters;
    private final long backoffMillis;
    /** The listening channel's event loop only. */
    private final LogThrottle warnings = new LogThrottle(WARNING_INTERVAL_NANOS);

    AcceptErrorBackoff(RelayCounters counters, long backoffMillis) {
        this.counters = counters;
        this.backoffMillis = backoffMillis;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        counters.acceptFailed();
        if (warnings.tryLog(System.nanoTime()) >= 0) {
            log.warn("accept failed: {}; retrying every {} ms (failures are counted, and logged at most every 10 s)",
                    cause.toString(), backoffMillis);
        }
        ctx.channel().config().setAutoRead(false);
        ctx.channel().eventLoop().schedule(() -> ctx.channel().config().setAutoRead(true), backoffMillis, TimeUnit.MILLISECONDS);
    }
}
