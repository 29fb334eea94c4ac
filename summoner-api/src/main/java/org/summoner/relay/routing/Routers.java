package org.summoner.relay.routing;

import org.summoner.relay.config.HyperParameters;
import org.summoner.relay.core.RelayCore;
import org.summoner.relay.core.Router;

/** Chooses the router of the routing mode the config asks for ({@code hyper_parameters.routing}). */
public final class Routers {
    private Routers() {
    }

    /** @return the router of {@code core}'s configuration. */
    public static Router of(RelayCore core) {
        final HyperParameters parameters = core.config().hyperParameters();
        return switch (parameters.routing().mode()) {
            case BROADCAST -> Router.BROADCAST;
            case DEDICATED -> new DedicatedRouter(core, parameters.routing().dedicated());
        };
    }
}
