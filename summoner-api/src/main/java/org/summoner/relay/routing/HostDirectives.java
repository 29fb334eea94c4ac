package org.summoner.relay.routing;

import org.summoner.relay.core.OtherNodes;
import org.summoner.relay.core.RelayCore;
import org.summoner.relay.core.Route;
import org.summoner.relay.core.Router;
import org.summoner.relay.core.Session;
import org.summoner.relay.counters.RelayCounters;
import org.summoner.relay.identity.Json;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * A host's directive (SPEC section 7, {@code hosted}): a JSON object with exactly the keys {@code "to"}, a non-empty
 * array of strings, and {@code "content"}. Its content (a string as it is, any other value as its compact JSON) goes
 * in the host's envelope to each participant named, by {@code remote_addr} ({@code 127.0.0.1:54321},
 * {@code [::1]:54321}; in a cluster a participant of another node as its host saw it, qualified by its node:
 * {@code 127.0.0.1:54321@node-b}, and an address without a node is one of the host's node) or as
 * {@code fp:<fingerprint>} (every connection bound to it); a name with no participant
 * connected gets the host one {@code Warning: Recipient not connected: <name>.} line. A name given twice counts
 * once; a participant named both ways gets the content twice.
 *
 * <p>Thread-safe (immutable; the sessions and bindings are the core's).
 */
final class HostDirectives {
    static final String FINGERPRINT_PREFIX = "fp:";

    private final RelayCore core;
    private final RelayCounters counters;

    HostDirectives(RelayCore core) {
        this.core = core;
        this.counters = core.counters();
    }

    /**
     * Handles {@code parsed} if it is a directive from a host: relays its content to the participants it names.
     *
     * @return whether it was one (then the line is done with).
     */
    boolean handle(Session sender, Object parsed, Router.Decision decision) {
        if (!sender.isHost()) {
            return false;
        }
        final List<?> names = recipients(parsed);
        if (names == null) {
            return false;
        }
        deliver(sender, parsed, names, decision);
        return true;
    }

    /** @return the names of a directive, or null when {@code parsed} is not one. */
    private static List<?> recipients(Object parsed) {
        if (!(parsed instanceof Map<?, ?> object) || object.size() != 2 || !object.containsKey("content")
                || !(object.get("to") instanceof List<?> to) || to.isEmpty()) {
            return null;
        }
        for (Object name : to) {
            if (!(name instanceof String)) {
                return null;
            }
        }
        return to;
    }

    /** Relays the directive's content to each participant it names, and tells the host of each name not connected. */
    private void deliver(Session host, Object directive, List<?> names, Router.Decision decision) {
        final Object value = ((Map<?, ?>) directive).get("content");
        final byte[] content = value instanceof String text ? text.getBytes(StandardCharsets.UTF_8) : Json.compact(value);
        for (Object name : new LinkedHashSet<>(names)) {
            final Route route = find(host, (String) name);
            if (route == null) {
                counters.lineUndeliverable();
                decision.tell(core.notices().recipientNotConnectedLine((String) name));
            } else {
                decision.relay(route, content, 0, content.length);
            }
        }
    }

    /** @return the route to the participant(s) a name means, or null when none is connected. */
    private Route find(Session host, String name) {
        if (name.startsWith(FINGERPRINT_PREFIX)) {
            final String fingerprint = name.substring(FINGERPRINT_PREFIX.length());
            if (core.isHostIdentity(fingerprint)) {
                return null; // a host is no participant
            }
            return core.routeToIdentity(fingerprint);
        }
        final OtherNodes others = core.otherNodes();
        final String address = others == null ? name : others.addressHere(name);
        if (address == null) {
            return others.participantElsewhere(name);
        }
        final Session participant = core.session(address);
        if (participant == null || participant == host || participant.isHost() || !participant.isOpen()) {
            return null;
        }
        return participant.route();
    }
}
