package org.summoner.relay.config;

import java.util.Set;

/**
 * {@code hyper_parameters.peer_trust} (ours, SPEC section 9): which addresses and identities the server trusts.
 *
 * @param trustedNetworks     addresses never quarantined (default loopback: Summoner agents usually run on the relay's
 *                            own machine, and one slow local agent must not lock the others out); empty restores the
 *                            quarantine for every address.
 * @param allowNetworks       addresses that may connect; null: every address.
 * @param denyNetworks        addresses refused even when allowed.
 * @param allowedFingerprints identities that may bind a connection at all, in every mode; null: any verified identity.
 */
public record PeerTrust(NetworkSet trustedNetworks, NetworkSet allowNetworks, NetworkSet denyNetworks, Set<String> allowedFingerprints) {
}
