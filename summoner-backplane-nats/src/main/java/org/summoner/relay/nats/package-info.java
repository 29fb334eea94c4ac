/**
 * The NATS backplane (SPEC section 11): the nodes of a relay cluster meet on a NATS server or cluster the operator
 * runs, through the official Java client. Subjects: {@code <prefix>.all} (every node) and {@code <prefix>.node.<name>}
 * (one node: lines for identities, hosts and participants known to be there, so a line only travels to the nodes that
 * hold a recipient).
 */
package org.summoner.relay.nats;
