package org.summoner.relay.nats;

class NioNatsClusterTest extends NatsClusterKit {
    @Override
    protected String engineName() {
        return "nio";
    }
}
