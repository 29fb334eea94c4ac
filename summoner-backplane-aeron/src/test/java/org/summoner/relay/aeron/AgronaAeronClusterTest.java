package org.summoner.relay.aeron;

class AgronaAeronClusterTest extends AeronClusterKit {
    @Override
    protected String engineName() {
        return "agrona";
    }
}
