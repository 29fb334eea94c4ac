/**
 * The Aeron backplane (SPEC section 11): the nodes of a relay cluster send each other frames on Aeron UDP streams,
 * each node one multi-destination publication to its peers' endpoints and one subscription on its own, through an
 * embedded media driver (or the operator's). No broker: the peers are listed in each node's config.
 */
package org.summoner.relay.aeron;
