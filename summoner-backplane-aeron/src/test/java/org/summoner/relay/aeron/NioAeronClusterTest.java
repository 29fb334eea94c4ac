package org.summoner.relay.aeron;

class NioAeronClusterTest extends AeronClusterKit {
    @Override
    protected String engineName() {
        return "nio";
    }
}
