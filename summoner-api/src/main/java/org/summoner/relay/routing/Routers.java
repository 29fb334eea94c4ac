package org.summoner.relay.routing;

import org.summoner.relay.config.HyperParameters;
import org.summoner.relay.core.RelayCore;
import org.summoner.relay.core.Router;

/**
 * Chooses the router of the routing mode the config asks for ({@code hyper_parameters.routing}), behind the
 * handshake's gate when {@code handshake.required}: at start, and again at each reload (the core's
 * {@code routingConfig}).
 */
public final class Routers {
    private Routers() {
    }

    /** @return the router of {@code core}'s configuration. */
    public static Router of(RelayCore core) {
        final HyperParameters parameters = core.routingConfig().hyperParameters();
        final SignedEnvelopes envelopes = new SignedEnvelopes(core);
        final Router mode = switch (parameters.routing().mode()) {
            case BROADCAST -> Router.BROADCAST;
            case DEDICATED -> new DedicatedRouter(envelopes);
            case HOSTED -> new HostedRouter(core, envelopes, new HostDirectives(core));
            case HYBRID -> new HybridRouter(envelopes, new HostDirectives(core));
        };
        return parameters.handshake().required() ? new HandshakeGate(mode, envelopes) : mode;
    }
}
