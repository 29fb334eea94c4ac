package org.summoner.relay.monitoring;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.core.Faults;
import org.summoner.relay.counters.LogThrottle;
import org.summoner.relay.wire.Untrusted;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.Queue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Requests and responses on the {@link HttpListener}'s connections, on its thread: a head read into its connection's
 * buffer and parsed, answered at once ({@link Endpoints#answer}) or rendered on a render thread
 * ({@link Endpoints#render}) and handed back, the response written (the socket full: the connection waits under the
 * write deadline), then the next request of a kept-alive connection, or output shut and input discarded until the
 * client closes (the linger); and what each state's deadline does when it passes ({@code 408}, a close).
 *
 * <p>The listener's thread only, but {@link #rendered}, which a render thread calls, and {@link #stop()}.
 */
final class HttpExchanges {
    private static final Logger log = LoggerFactory.getLogger(HttpListener.class);
    private static final int MAX_DISCARD_READS_PER_TURN = 4;
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final ByteBuffer[] NOTHING = new ByteBuffer[0];
    private static final byte[] EMPTY = new byte[0];

    private final HttpLimits limits;
    private final Endpoints endpoints;
    private final HttpConnections connections;
    private final ExecutorService render;
    private final Queue<HttpConnection> rendered;
    private final Runnable wakeup;
    private final ByteBuffer discard = ByteBuffer.allocate(8192);
    private final LogThrottle faultLog = new LogThrottle(LOG_INTERVAL_NANOS);
    private volatile boolean stopping;

    /**
     * @param rendered where a render thread queues a connection whose response is ready, for the listener's thread.
     * @param wakeup   wakes the listener's thread up after that.
     */
    HttpExchanges(HttpLimits limits, Endpoints endpoints, HttpConnections connections, ExecutorService render,
                  Queue<HttpConnection> rendered, Runnable wakeup) {
        this.limits = limits;
        this.endpoints = endpoints;
        this.connections = connections;
        this.render = render;
        this.rendered = rendered;
        this.wakeup = wakeup;
    }

    /** The listener stops: every response from now on closes its connection. */
    void stop() {
        stopping = true;
    }

    void onReady(HttpConnection connection, SelectionKey key, long now) {
        if (!connection.open) {
            return;
        }
        try {
            if (key.isValid() && key.isWritable() && connection.state == HttpConnection.State.WRITING) {
                if (flush(connection, now)) {
                    serve(connection, now);
                }
            }
            if (key.isValid() && key.isReadable()) {
                if (connection.state == HttpConnection.State.READING_HEAD) {
                    read(connection, now);
                } else if (connection.state == HttpConnection.State.LINGERING) {
                    discard(connection);
                }
            }
        } catch (IOException | RuntimeException e) {
            failed(connection, e);
        }
    }

    /**
     * Serving {@code connection} failed: a broken connection is logged at DEBUG; a fault in the server's own code is a
     * fault. Either way that connection goes and the others are served on.
     */
    void failed(HttpConnection connection, Exception e) {
        if (e instanceof IOException) {
            log.debug("monitoring connection {} closed: {}", connection.remote, e.toString());
        } else {
            fault("monitoring connection " + connection.remote + " closed on an unexpected error", e);
        }
        connections.close(connection);
    }

    void read(HttpConnection connection, long now) throws IOException {
        final int n = connection.channel.read(connection.inputBuffer);
        if (n < 0) {
            log.debug("monitoring connection {} closed by its client", connection.remote);
            connections.close(connection);
            return;
        }
        if (n == 0) {
            return;
        }
        if (!connection.requestStarted) {
            connection.requestStarted = true;
            if (connection.served > 0) {
                // After a response: the next head has its own time from its first byte. A new connection's first
                // head keeps the deadline it had from the accept.
                connection.deadlineNanos = now + limits.headTimeoutNanos();
                connections.wakeBy(connection.deadlineNanos);
            }
        }
        serve(connection, now);
    }

    /**
     * Answers the requests whose heads are complete in the connection's input, in order, until one must wait (for a
     * render thread or for the client to read), or the input holds no complete head.
     */
    private void serve(HttpConnection connection, long now) throws IOException {
        while (connection.open && connection.state == HttpConnection.State.READING_HEAD && connection.inputLength() > 0) {
            final int end = connection.scanner.scan(connection.input, connection.inputLength());
            if (end < 0) {
                if (connection.inputFull()) {
                    connections.countHeadTooLarge();
                    final boolean lineTooLong = !connection.scanner.requestLineComplete();
                    log.debug("monitoring connection {}: request {} over {} bytes", connection.remote,
                            lineTooLong ? "line" : "head", limits.maxHeadBytes());
                    respond(connection, null, lineTooLong
                            ? HttpResponse.closing(414, "request line over " + limits.maxHeadBytes() + " bytes")
                            : HttpResponse.closing(431, "request head over " + limits.maxHeadBytes() + " bytes"), now);
                }
                return;
            }
            final HttpRequest request = HttpRequest.parse(connection.input, connection.scanner.headStart(), end);
            connection.consume(end);
            if (request.errorStatus() != 0) {
                connections.countMalformed();
                log.debug("monitoring connection {}: {}", connection.remote, request.error());
                respond(connection, null, HttpResponse.closing(request.errorStatus(), request.error()), now);
                return;
            }
            if (log.isDebugEnabled()) {
                log.debug("monitoring connection {}: {} {}", connection.remote, Untrusted.text(request.method()),
                        Untrusted.text(request.path()));
            }
            final HttpResponse answer = endpoints.answer(request);
            if (answer != null) {
                respond(connection, request, answer, now);
            } else {
                render(connection, request, now);
            }
        }
    }

    private void render(HttpConnection connection, HttpRequest request, long now) throws IOException {
        connection.state = HttpConnection.State.RENDERING;
        connection.request = request;
        connections.interest(connection, 0);
        try {
            render.execute(() -> rendered(connection, request));
        } catch (RejectedExecutionException e) {
            // Only while closing: the queue holds one request per connection at most.
            respond(connection, request, HttpResponse.closing(503, "the monitoring listener is stopping"), now);
        }
    }

    /** On a render thread: builds the response and hands the connection back to the listener's thread. */
    private void rendered(HttpConnection connection, HttpRequest request) {
        HttpResponse response;
        Error fatal = null;
        try {
            response = endpoints.render(request);
        } catch (RuntimeException | Error e) {
            fault("monitoring: rendering " + Untrusted.text(request.path()) + " failed", e);
            response = HttpResponse.text(500, "internal error: " + e.getClass().getName());
            if (e instanceof Error error && !Faults.recoverable(error)) {
                fatal = error;
            }
        }
        connection.rendered = response;
        rendered.add(connection);
        wakeup.run();
        if (fatal != null) {
            throw fatal;
        }
    }

    void onRendered(HttpConnection connection, long now) {
        if (!connection.open || connection.state != HttpConnection.State.RENDERING) {
            return;
        }
        final HttpResponse response = connection.rendered;
        connection.rendered = null;
        try {
            respond(connection, connection.request, response, now);
            serve(connection, now);
        } catch (IOException e) {
            log.debug("monitoring connection {} closed: {}", connection.remote, e.toString());
            connections.close(connection);
        }
    }

    /**
     * Starts writing {@code response}; the connection closes after it when the response, the client or a body the
     * request announced says so.
     *
     * @param request null for an answer to a head that did not parse, or never ended.
     */
    private void respond(HttpConnection connection, HttpRequest request, HttpResponse response, long now) throws IOException {
        final boolean close = response.close() || request == null || !request.keepAlive() || request.hasBody() || stopping;
        final byte[] head = response.head(close, request != null && !request.http11() && !close);
        final byte[] body = request != null && request.isHead() ? EMPTY : response.body();
        connection.request = null;
        connection.output = new ByteBuffer[]{ByteBuffer.wrap(head), ByteBuffer.wrap(body)};
        connection.closeAfterWrite = close;
        connection.state = HttpConnection.State.WRITING;
        connection.deadlineNanos = now + limits.writeTimeoutNanos();
        connections.wakeBy(connection.deadlineNanos);
        flush(connection, now);
    }

    /** @return whether the response was written whole (and the connection moved on: to its next request, or to linger). */
    private boolean flush(HttpConnection connection, long now) throws IOException {
        final ByteBuffer[] output = connection.output;
        connection.channel.write(output);
        if (output[0].hasRemaining() || output[1].hasRemaining()) {
            connections.interest(connection, SelectionKey.OP_WRITE);
            return false;
        }
        connection.output = NOTHING;
        connection.served++;
        if (connection.closeAfterWrite) {
            startLinger(connection, now);
            return true;
        }
        connection.state = HttpConnection.State.READING_HEAD;
        connections.interest(connection, SelectionKey.OP_READ);
        connection.requestStarted = connection.inputLength() > 0;
        connection.idleSinceNanos = now;
        connection.deadlineNanos = now + (connection.requestStarted ? limits.headTimeoutNanos() : limits.idleTimeoutNanos());
        connections.wakeBy(connection.deadlineNanos);
        return true;
    }

    /** Output done: FIN after the last response, then input discarded until the client closes or the linger ends. */
    void startLinger(HttpConnection connection, long now) {
        connections.leaveActive(connection);
        if (!connections.mayLinger()) {
            connections.close(connection);
            return;
        }
        connections.linger(connection);
        connection.deadlineNanos = now + limits.lingerNanos();
        connections.wakeBy(connection.deadlineNanos);
        try {
            connection.channel.shutdownOutput();
            connections.interest(connection, SelectionKey.OP_READ);
            discard(connection);
        } catch (IOException e) {
            connections.close(connection);
        }
    }

    private void discard(HttpConnection connection) throws IOException {
        for (int i = 0; i < MAX_DISCARD_READS_PER_TURN && connection.open; i++) {
            discard.clear();
            final int n = connection.channel.read(discard);
            if (n < 0) {
                connections.close(connection);
            }
            if (n <= 0) {
                return;
            }
        }
    }

    void expire(HttpConnection connection, long now) {
        try {
            switch (connection.state) {
                case READING_HEAD -> {
                    if (connection.requestStarted) {
                        connections.countHeadTimeout();
                        log.debug("monitoring connection {}: request head not complete in time", connection.remote);
                        respond(connection, null, HttpResponse.closing(408, "request timeout: the request's head was "
                                + "not complete within " + TimeUnit.NANOSECONDS.toMillis(limits.headTimeoutNanos()) + " ms"), now);
                    } else if (connection.served == 0) {
                        connections.countHeadTimeout();
                        log.debug("monitoring connection {} closed: it sent nothing in time", connection.remote);
                        connections.close(connection);
                    } else {
                        connections.countIdleTimeout();
                        log.debug("monitoring connection {} closed: idle", connection.remote);
                        connections.close(connection);
                    }
                }
                case WRITING -> {
                    connections.countWriteTimeout();
                    log.debug("monitoring connection {} dropped: its response was not taken in time", connection.remote);
                    connections.close(connection);
                }
                case LINGERING -> connections.close(connection);
                case RENDERING -> {
                }
            }
        } catch (IOException e) {
            connections.close(connection);
        }
    }

    /**
     * A fault in the listener's own code (never a client's doing alone, but a client may repeat what caused it):
     * logged at WARN at most every 10 s, from any thread.
     */
    void fault(String what, Throwable error) {
        if (faultLog.tryLog(System.nanoTime()) >= 0) {
            log.warn("{} (faults are logged at most every 10 s)", what, error);
        }
    }
}
