package org.summoner.relay.core;

import org.summoner.relay.wire.Rejection;
import org.summoner.relay.wire.ServerNotice;

/**
 * The seam every routing mode implements (SPEC section 7): given a line that passed its session's own checks
 * (framing, UTF-8, rate limit), where it goes. The router says so to {@link Decision}: relay a content (the line
 * itself, or what a mode extracts from it) along a {@link Route}, once or several times; or reject it with a
 * reason the sender is told; or refuse it with a notice; or neither (a line that only binds its connection,
 * {@link Session#bind}). The session then wraps each
 * content in its sender's envelope, under {@code max_envelope_bytes}, and hands it to its engine.
 *
 * <p>Called on the sender's thread, once per line; it must not block and should allocate nothing for the common
 * line. One router per server, shared by every engine thread: an implementation is thread-safe.
 */
public interface Router {
    /** What a router may do with a line. Valid during {@link #route} only. */
    interface Decision {
        /** Relay {@code content[offset, offset + length)} (valid UTF-8) in the sender's envelope along {@code route}. */
        void relay(Route route, byte[] content, int offset, int length);

        /**
         * Refuse the line: the sender is told {@code Warning: Line rejected (<code>) and was not relayed.}, the
         * rejection is counted, and recorded as an invalid attempt of the sender (its IP, or its connection inside the trusted networks).
         */
        void reject(Rejection reason);

        /**
         * A valid line that goes nowhere (its receiver is not connected): counted as undeliverable and, like a
         * rejection, as an invalid attempt of the sender, but the sender is not told, unless the count closes it (then
         * with the rejection's line). Lines that cost a signature check and reach no one are how a client would make
         * the relay work for nothing.
         */
        void wasted(Rejection reason);

        /** The line is not relayed, for a reason that is no rejection (no host connected, handshake required). */
        void refuse(ServerNotice reason);

        /** Sends the sender a line of the server's, {@code \n} included (e.g. a directive's missing recipient). */
        void tell(byte[] line);
    }

    void route(Session sender, byte[] line, int offset, int length, Decision decision);

    /** Broadcast (the default mode): every line goes to every other client. */
    Router BROADCAST = (sender, line, offset, length, decision) -> decision.relay(Route.BROADCAST, line, offset, length);
}
