package org.summoner.relay.config;

import java.util.Set;

/**
 * How lines are routed (SPEC section 7): the mode, and the settings of the modes that have some.
 *
 * @param dedicated       {@code dedicated_relay} as read (its defaults when absent), whatever the mode; hybrid and the
 *                        handshake read signed envelopes with its paths and policy.
 * @param hostFingerprints {@code hosted_relay.host_fingerprints}: the identities that are hosts; empty when absent.
 */
public record Routing(RoutingMode mode, DedicatedRelay dedicated, Set<String> hostFingerprints) {
}
