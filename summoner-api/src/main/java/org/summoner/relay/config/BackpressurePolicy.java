package org.summoner.relay.config;

/**
 * {@code hyper_parameters.backpressure_policy}: the thresholds, counted in messages waiting to be written to one
 * recipient, at which the server slows the senders feeding it, pauses them, or closes the recipient.
 */
public record BackpressurePolicy(
        boolean enableThrottle,
        int throttleThreshold,
        boolean enableFlowControl,
        int flowControlThreshold,
        boolean enableDisconnect,
        int disconnectThreshold) {
}
