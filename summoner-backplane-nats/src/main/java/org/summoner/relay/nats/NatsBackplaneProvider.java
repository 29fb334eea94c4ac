package org.summoner.relay.nats;

import org.summoner.relay.cluster.Backplane;
import org.summoner.relay.cluster.BackplaneContext;
import org.summoner.relay.cluster.BackplaneProvider;

/** {@code "cluster": {"backplane": "nats"}}. */
public final class NatsBackplaneProvider implements BackplaneProvider {
    @Override
    public String name() {
        return "nats";
    }

    @Override
    public Backplane create(BackplaneContext context) {
        return new NatsBackplane(context);
    }
}
