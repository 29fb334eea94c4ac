package org.summoner.relay.config;

/**
 * How lines are routed (SPEC section 7): the mode, and the settings of the modes that have some.
 *
 * @param dedicated {@code dedicated_relay} as read (its defaults when absent), whatever the mode.
 */
public record Routing(RoutingMode mode, DedicatedRelay dedicated) {
}
