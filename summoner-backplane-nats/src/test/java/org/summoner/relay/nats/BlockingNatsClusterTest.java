package org.summoner.relay.nats;

class BlockingNatsClusterTest extends NatsClusterKit {
    @Override
    protected String engineName() {
        return "blocking";
    }
}
