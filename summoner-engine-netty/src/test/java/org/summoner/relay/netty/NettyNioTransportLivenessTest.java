package org.summoner.relay.netty;

import org.summoner.relay.tck.LivenessSection;

import java.util.Map;

/**
 * The kit's liveness tests on Netty's NIO transport, which sets {@code tcp_keepalive} through the JDK's socket options
 * where native epoll has its own (the compatibility kit runs on native epoll).
 */
class NettyNioTransportLivenessTest extends LivenessSection {
    @Override
    protected String engineName() {
        return "netty";
    }

    @Override
    protected Map<String, ?> engineSections() {
        return Map.of("netty", Map.of("transport", "nio"));
    }
}
