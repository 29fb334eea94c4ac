package org.summoner.relay.aeron;

class NettyAeronClusterTest extends AeronClusterKit {
    @Override
    protected String engineName() {
        return "netty";
    }
}
