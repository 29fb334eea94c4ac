package org.summoner.relay.nats;

import io.nats.client.Connection;
import io.nats.client.Consumer;
import io.nats.client.ErrorListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.counters.LogThrottle;
import org.summoner.relay.wire.Untrusted;

import java.io.IOException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * The NATS client's errors, as {@link NatsBackplane}'s log lines. What comes back at every reconnect (4 a second) is
 * said at WARN once per 10 s with a count: a server's {@code -ERR} (an Authorization Violation), a failed TLS handshake
 * (an untrusted or expired certificate, a name that does not match) or a server that does not speak TLS as asked, and
 * a connection that the server never completed (a {@code nats-server} with {@code verify} closes without a word on a
 * node whose certificate it does not accept). Other exceptions (a server out of reach while it is down) stay at DEBUG:
 * the outage is logged once, by the connection's events.
 *
 * <p>Thread-safe: the client calls it from its own threads.
 */
final class NatsErrors implements ErrorListener {
    private static final Logger log = LoggerFactory.getLogger(NatsBackplane.class);

    private final boolean tls;
    /** Told of the connection each error comes from: a node closed before it ever connected closes it so. */
    private final java.util.function.Consumer<Connection> from;
    private final LogThrottle errors = new LogThrottle();
    private final LogThrottle tlsFailures = new LogThrottle();
    private final LogThrottle timeouts = new LogThrottle();

    /**
     * @param tls  whether the connection speaks TLS, which explains a connection that times out.
     * @param from told of the connection every error comes from.
     */
    NatsErrors(boolean tls, java.util.function.Consumer<Connection> from) {
        this.tls = tls;
        this.from = from;
    }

    @Override
    public void errorOccurred(Connection conn, String error) {
        from.accept(conn);
        final long quiet = errors.tryLog(System.nanoTime());
        if (quiet >= 0) {
            log.warn("cluster: NATS error: {}{}", Untrusted.text(error), errors.since(quiet)); // the server's text may quote a subject
        }
    }

    @Override
    public void exceptionOccurred(Connection conn, Exception exp) {
        from.accept(conn);
        final String failure = tlsFailure(exp);
        if (failure != null) {
            final long quiet = tlsFailures.tryLog(System.nanoTime());
            if (quiet >= 0) {
                log.warn("cluster: TLS to NATS failed: {}{}", Untrusted.text(failure), tlsFailures.since(quiet));
            }
        } else if (exp instanceof TimeoutException) {
            final long quiet = timeouts.tryLog(System.nanoTime());
            if (quiet >= 0) {
                log.warn("cluster: NATS did not complete the connection within 2 s: the server did not answer in time{}{}", tls
                        ? ", or it asks for client certificates (tls verify) and refused this node's, which it does without a word"
                        + " (its log says so)" : "", timeouts.since(quiet));
            }
        } else {
            log.debug("cluster: NATS exception: {}", Untrusted.text(exp.toString()));
        }
    }

    /**
     * @return what went wrong with TLS (the handshake's messages, and what lies under them, such as the date a
     *         certificate expired), or null when {@code e} is no TLS failure.
     */
    private static String tlsFailure(Throwable e) {
        String found = null;
        Throwable root = e;
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            root = c;
            final String message = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
            if (c instanceof SSLException) {
                found = found == null ? message : found.contains(message) ? found : found + " (" + message + ")";
            } else if (c instanceof IOException && message.startsWith("SSL ")) { // jnats: "SSL connection wanted by client."
                return message.equals("SSL required by server.") ? "the server requires TLS: give it a tls:// URL or cluster.nats.tls"
                        : "the server does not offer TLS, and cluster.nats.tls or a tls:// URL asks for it";
            }
        }
        if (found != null && root.getMessage() != null && !found.contains(root.getMessage())) {
            found = found + " (" + root.getMessage() + ")";
        }
        return found;
    }

    @Override
    public void slowConsumerDetected(Connection conn, Consumer consumer) {
        log.warn("cluster: this node is a slow consumer of NATS: frames from other nodes were dropped by the client");
    }
}
