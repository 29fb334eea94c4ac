package org.summoner.relay.nats;

class AgronaNatsClusterTest extends NatsClusterKit {
    @Override
    protected String engineName() {
        return "agrona";
    }
}
