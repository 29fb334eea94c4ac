/**
 * The routing modes of SPEC section 7, each a {@link org.summoner.relay.core.Router} of the core, chosen once at start
 * from the config ({@link org.summoner.relay.routing.Routers}): nothing of them is in any engine.
 */
package org.summoner.relay.routing;
