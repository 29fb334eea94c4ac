package org.summoner.relay.config;

import java.util.Locale;

/** {@code hyper_parameters.routing} (SPEC section 7): how a line finds its recipients. */
public enum RoutingMode {
    /** Every line to every other client (the default). */
    BROADCAST,
    /** Only signed envelopes, each to the connections bound to its receiver (Summoner's {@code dedicated_relay}). */
    DEDICATED,
    /** Participants' lines to the hosts; a host's lines to the participants it names, or to all of them. */
    HOSTED,
    /** Signed envelopes as in dedicated, host directives as in hosted, every other line as in broadcast. */
    HYBRID;

    private final String key = name().toLowerCase(Locale.ROOT);

    /** @return the value in the config, e.g. {@code dedicated}. */
    public String key() {
        return key;
    }
}
