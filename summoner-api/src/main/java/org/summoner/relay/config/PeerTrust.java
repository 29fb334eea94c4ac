package org.summoner.relay.config;

/**
 * {@code hyper_parameters.peer_trust} (ours, SPEC section 9): which addresses the server trusts.
 *
 * @param trustedNetworks addresses never quarantined (default loopback: Summoner agents usually run on the relay's
 *                        own machine, and one slow local agent must not lock the others out); empty restores the
 *                        quarantine for every address.
 */
public record PeerTrust(NetworkSet trustedNetworks) {
}
