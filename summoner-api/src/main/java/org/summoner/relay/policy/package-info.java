/**
 * Fair use, engine-neutral: the rate limiter, the backpressure gate, the quarantine list, connection limits and
 * idle timeouts of {@code hyper_parameters} (SPEC section 6), built once per server by {@link
 * org.summoner.relay.policy.FairUsePolicy} and called by every engine, so the rules live in one place.
 *
 * <p>Every method takes the current time as {@code nowNanos} (from {@link System#nanoTime()}), so engines read
 * the clock once per batch and tests can drive time by hand.
 */
package org.summoner.relay.policy;
