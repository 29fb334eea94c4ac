package org.summoner.relay.nats;

class NettyNatsClusterTest extends NatsClusterKit {
    @Override
    protected String engineName() {
        return "netty";
    }
}
