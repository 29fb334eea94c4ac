/**
 * Several relays as one (SPEC section 11): the backplane SPI ({@link org.summoner.relay.cluster.BackplaneProvider},
 * found by {@code ServiceLoader}) and the one mechanism every backplane and engine shares: the frames nodes send each
 * other, who is connected where, and how a line crosses to the nodes that hold its recipients.
 */
package org.summoner.relay.cluster;
