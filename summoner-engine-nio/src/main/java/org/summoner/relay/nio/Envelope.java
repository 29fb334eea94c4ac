package org.summoner.relay.nio;

import org.summoner.relay.core.Route;
import org.summoner.relay.core.Session;

/**
 * One encoded envelope on its way to other workers: its bytes (shared by reference by every recipient queue that
 * holds them, on any worker), its sender, which must not get it back, and its route. Immutable; safely published
 * through {@link Inbox}.
 */
final class Envelope {
    final byte[] bytes;
    final Session sender;
    final Route route;

    Envelope(byte[] bytes, Session sender, Route route) {
        this.bytes = bytes;
        this.sender = sender;
        this.route = route;
    }
}
