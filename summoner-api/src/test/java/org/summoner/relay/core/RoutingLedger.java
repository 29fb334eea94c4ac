package org.summoner.relay.core;

import org.summoner.relay.wire.Rejection;
import org.summoner.relay.wire.ServerNotice;

import java.util.ArrayList;
import java.util.List;

/**
 * The real router of a routing mode, watched: every line it is asked about and every decision it makes is written
 * down, then handed on unchanged to the session. It decides nothing itself; it is how a fuzz oracle learns how many
 * lines reached the router (for the counters' books) and which rejections were recorded against whom and when (for
 * {@code invalid_attempts}), without trusting the counters it checks.
 *
 * <p>Owned by the one thread of a fuzz run; not thread-safe.
 */
final class RoutingLedger implements Router {
    /** A rejection recorded as an invalid attempt of its sender: who, and on the turn's clock. */
    record Attempt(Session sender, long atNanos) {
    }

    private final Router mode;
    /** The engine's clock, once the engine exists (a core, and so its router, is made before its engine). */
    java.util.function.LongSupplier clock = () -> 0;
    long routed;
    long relays;
    long rejects;
    long wastes;
    long refuses;
    long tells;
    final List<Attempt> attempts = new ArrayList<>();

    RoutingLedger(Router mode) {
        this.mode = mode;
    }

    @Override
    public void route(Session sender, byte[] line, int offset, int length, Decision decision) {
        routed++;
        mode.route(sender, line, offset, length, new Decision() {
            @Override
            public void relay(Route route, byte[] content, int contentOffset, int contentLength) {
                relays++;
                decision.relay(route, content, contentOffset, contentLength);
            }

            @Override
            public void reject(Rejection reason) {
                rejects++;
                if (sender.isOpen()) { // Session.reject records an invalid attempt of an open session only
                    attempts.add(new Attempt(sender, clock.getAsLong()));
                }
                decision.reject(reason);
            }

            @Override
            public void wasted(Rejection reason) {
                wastes++;
                if (sender.isOpen()) { // an invalid attempt too, not told
                    attempts.add(new Attempt(sender, clock.getAsLong()));
                }
                decision.wasted(reason);
            }

            @Override
            public void refuse(ServerNotice reason) {
                refuses++;
                decision.refuse(reason);
            }

            @Override
            public void tell(byte[] line) {
                tells++;
                decision.tell(line);
            }
        });
    }
}
