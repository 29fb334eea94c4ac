package org.summoner.relay.aeron;

import org.summoner.relay.cluster.Backplane;
import org.summoner.relay.cluster.BackplaneContext;
import org.summoner.relay.cluster.BackplaneProvider;

/** {@code "cluster": {"backplane": "aeron"}}. */
public final class AeronBackplaneProvider implements BackplaneProvider {
    @Override
    public String name() {
        return "aeron";
    }

    @Override
    public Backplane create(BackplaneContext context) {
        return new AeronBackplane(context);
    }
}
