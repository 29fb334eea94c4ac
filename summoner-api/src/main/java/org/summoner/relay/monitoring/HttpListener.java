package org.summoner.relay.monitoring;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.core.Faults;
import org.summoner.relay.spi.LogThrottle;
import org.summoner.relay.wire.Untrusted;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The monitoring port's HTTP/1.1 server, built so that no client can stall it: one thread,
 * {@value MonitoringServer#THREAD_NAME}, does every accept, read and write without ever blocking (a {@link Selector}
 * over non-blocking channels) and keeps one deadline per connection; responses that cost real work ({@code /metrics},
 * {@code /connz}) are built in memory by {@link HttpLimits#renderThreads()} render threads
 * ({@code summoner-monitoring-render-N}), which never touch a socket. A client can therefore hold neither thread: a
 * half-sent head waits in its connection's buffer under the head deadline, a response nobody reads waits in its
 * connection under the write deadline, and meanwhile every other connection is served.
 *
 * <p>Bounds ({@link HttpLimits}, values in {@link HttpLimits#DEFAULT}): a head must fit in
 * {@link HttpLimits#maxHeadBytes()} ({@code 414} or {@code 431} and close) and be complete within
 * {@link HttpLimits#headTimeoutNanos()} of its first byte ({@code 408} and close); a kept-alive connection idle for
 * {@link HttpLimits#idleTimeoutNanos()} is closed; a response not taken within {@link HttpLimits#writeTimeoutNanos()}
 * is dropped with its connection; at most {@link HttpLimits#maxConnections()} connections are served at once: at the
 * bound the one idle the longest (kept alive between requests, or new and silent for {@link #FRESH_EVICTABLE_NANOS})
 * is closed for a new one, and with none idle the new one gets a fixed {@code 503} and is closed (a clear answer
 * costs one write of a constant, and a load balancer or scraper logs why). A connection
 * whose last response was written shuts its output and discards input for at most {@link HttpLimits#lingerNanos()},
 * so that the kernel does not destroy that response with a reset.
 *
 * <p>Requests of one connection are answered one at a time and in order (pipelining works): while one is rendered or
 * written, nothing more is read from that connection, so TCP pushes back on a client that sends faster than it reads.
 * Bodies are never read: a request that has one is answered and its connection closed.
 *
 * <p>Threads: {@link #start} and {@link #close()} are called by {@link MonitoringServer} from any thread; the
 * listener's thread calls {@link Endpoints#answer} and queues {@link Endpoints#render} on the render threads, which
 * hand each response back through a queue and {@link Selector#wakeup()}; the counters ({@link #refused()} ...) are
 * written by the listener's thread only and may be read from any.
 *
 * <p>Memory: per connection an input buffer of {@link HttpLimits#maxHeadBytes()} and at most one response;
 * per request a few strings for its head and one for its answer's head. Logs nothing per request above DEBUG;
 * refusals at the bound at WARN at most every 10 s.
 */
final class HttpListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpListener.class);
    /** Connections the kernel completes before the listener accepts them. */
    static final int ACCEPT_BACKLOG = 64;
    private static final int MAX_ACCEPTS_PER_TURN = 64;
    private static final int MAX_DISCARD_READS_PER_TURN = 4;
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /**
     * A new connection that has sent nothing for this long may be closed to admit another at the bound: long enough
     * for a real client's first bytes to arrive after its handshake, short against the head timeout.
     */
    static final long FRESH_EVICTABLE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long ACCEPT_ERROR_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MAX_SELECT_MILLIS = 1000;
    private static final ByteBuffer[] NOTHING = new ByteBuffer[0];
    private static final byte[] EMPTY = new byte[0];

    private final HttpLimits limits;
    private final Endpoints endpoints;
    private final Selector selector;
    private final ServerSocketChannel server;
    private final SelectionKey serverKey;
    private final InetSocketAddress address;
    private final ThreadPoolExecutor render;
    private final Thread thread;
    private final byte[] refusal;
    private final Queue<HttpConnection> rendered = new ConcurrentLinkedQueue<>();
    private final List<HttpConnection> connections = new ArrayList<>();
    private final ByteBuffer discard = ByteBuffer.allocate(8192);
    private volatile boolean running = true;

    // Written by the listener's thread only (single writer), read by any: the counters behind
    // summoner_monitoring_* and the tests.
    private volatile int active;
    private volatile int lingering;
    private volatile int blocked;
    private volatile long refused;
    private volatile long headTimeouts;
    private volatile long writeTimeouts;
    private volatile long idleTimeouts;
    private volatile long headsTooLarge;
    private volatile long malformed;

    private long acceptPausedUntilNanos;
    private final LogThrottle refusalLog = new LogThrottle(LOG_INTERVAL_NANOS);
    private final LogThrottle faultLog = new LogThrottle(LOG_INTERVAL_NANOS);
    private long nextDeadlineNanos = Long.MAX_VALUE;

    private HttpListener(HttpLimits limits, Endpoints endpoints, Selector selector, ServerSocketChannel server,
                         SelectionKey serverKey) throws IOException {
        this.limits = limits;
        this.endpoints = endpoints;
        this.selector = selector;
        this.server = server;
        this.serverKey = serverKey;
        this.address = (InetSocketAddress) server.getLocalAddress();
        this.refusal = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: " + HttpResponse.TEXT
                + "\r\nContent-Length: " + (refusalBody(limits).length()) + "\r\nConnection: close\r\n\r\n"
                + refusalBody(limits)).getBytes(StandardCharsets.US_ASCII);
        final AtomicInteger renderers = new AtomicInteger();
        // One request per connection is rendered or queued at a time, so the queue never holds more than this.
        this.render = new ThreadPoolExecutor(limits.renderThreads(), limits.renderThreads(), 0, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(limits.maxConnections()), task -> {
            final Thread t = new Thread(task, "summoner-monitoring-render-" + renderers.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.thread = new Thread(this::run, MonitoringServer.THREAD_NAME);
        this.thread.setDaemon(true);
    }

    static String refusalBody(HttpLimits limits) {
        return "too many connections: the monitoring listener serves " + limits.maxConnections() + " at once\n";
    }

    /**
     * Binds {@code address} and serves from a thread of its own.
     *
     * @throws IOException when the address cannot be bound ({@link java.net.BindException} with the system's reason).
     */
    static HttpListener start(InetSocketAddress address, Endpoints endpoints, HttpLimits limits) throws IOException {
        final Selector selector = Selector.open();
        ServerSocketChannel server = null;
        try {
            server = ServerSocketChannel.open();
            server.bind(address, ACCEPT_BACKLOG);
            server.configureBlocking(false);
            final SelectionKey key = server.register(selector, SelectionKey.OP_ACCEPT);
            final HttpListener listener = new HttpListener(limits, endpoints, selector, server, key);
            listener.thread.start();
            return listener;
        } catch (IOException | RuntimeException e) {
            if (server != null) {
                server.close();
            }
            selector.close();
            throw e;
        }
    }

    /** @return the address bound, with the real port when port 0 was asked for. */
    InetSocketAddress address() {
        return address;
    }

    /** @return connections being read from or answered now. */
    int activeConnections() {
        return active;
    }

    /** @return connections answered for the last time, waiting for their client to close (at most the linger). */
    int lingeringConnections() {
        return lingering;
    }

    /** @return connections whose response waits for their client to read (the socket is full). */
    int blockedConnections() {
        return blocked;
    }

    /** @return connections refused at the bound ({@code 503}) since start. */
    long refused() {
        return refused;
    }

    /**
     * @return connections closed because a request's head was not complete in time: {@code 408} after a part of it,
     *         without an answer when a new connection sent nothing.
     */
    long headTimeouts() {
        return headTimeouts;
    }

    /** @return connections dropped because a response was not taken in time. */
    long writeTimeouts() {
        return writeTimeouts;
    }

    /** @return kept-alive connections closed after being idle for the idle timeout. */
    long idleTimeouts() {
        return idleTimeouts;
    }

    /** @return connections closed because a request's head was over the bound ({@code 414}, {@code 431}). */
    long headsTooLarge() {
        return headsTooLarge;
    }

    /** @return connections closed because a request's head was malformed ({@code 400}, {@code 505}). */
    long malformed() {
        return malformed;
    }

    /** Stops accepting, closes every connection, and waits up to a second each for the two kinds of thread. */
    @Override
    public void close() {
        running = false;
        selector.wakeup();
        render.shutdownNow();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(1));
                render.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        try {
            while (running) {
                selector.select(selectTimeoutMillis(System.nanoTime()));
                try {
                    turn(System.nanoTime());
                } catch (RuntimeException e) {
                    // A fault in the server's own code outside one connection's handling: the turn is cut short,
                    // the listener serves on.
                    fault("monitoring listener: unexpected error in a turn; serving on", e);
                }
            }
        } catch (IOException | RuntimeException e) {
            log.error("The monitoring listener stopped on an unexpected error; /metrics, /healthz and /connz are no "
                    + "longer served", e);
        } catch (Error e) {
            log.error("The monitoring listener stopped on an unexpected error; /metrics, /healthz and /connz are no "
                    + "longer served", e);
            throw e;
        } finally {
            shutdown();
        }
    }

    /** One turn: the ready connections, the responses rendered since, new connections, then the deadlines. */
    private void turn(long now) {
        final Set<SelectionKey> selected = selector.selectedKeys();
        boolean acceptable = false;
        for (SelectionKey key : selected) {
            if (key == serverKey) {
                acceptable = key.isValid() && key.isAcceptable();
            } else {
                onReady((HttpConnection) key.attachment(), key, now);
            }
        }
        selected.clear();
        for (HttpConnection connection; (connection = rendered.poll()) != null; ) {
            onRendered(connection, now);
        }
        // After the reads: connections whose clients closed in this turn leave room for new ones first.
        if (acceptable && running) {
            accept(now);
        }
        expire(now);
    }

    private long selectTimeoutMillis(long now) {
        if (nextDeadlineNanos == Long.MAX_VALUE) {
            return MAX_SELECT_MILLIS;
        }
        final long millis = TimeUnit.NANOSECONDS.toMillis(nextDeadlineNanos - now) + 1;
        return Math.max(1, Math.min(MAX_SELECT_MILLIS, millis));
    }

    private void onReady(HttpConnection connection, SelectionKey key, long now) {
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
    private void failed(HttpConnection connection, Exception e) {
        if (e instanceof IOException) {
            log.debug("monitoring connection {} closed: {}", connection.remote, e.toString());
        } else {
            fault("monitoring connection " + connection.remote + " closed on an unexpected error", e);
        }
        close(connection);
    }

    private void accept(long now) {
        if (now - acceptPausedUntilNanos < 0) {
            return;
        }
        for (int i = 0; i < MAX_ACCEPTS_PER_TURN; i++) {
            final SocketChannel channel;
            try {
                channel = server.accept();
            } catch (IOException e) {
                // Out of file descriptors, most likely: back off rather than spin on a listener that stays ready.
                fault("monitoring listener: accept failed, retrying every 100 ms", e);
                acceptPausedUntilNanos = now + ACCEPT_ERROR_BACKOFF_NANOS;
                serverKey.interestOps(0);
                wakeBy(acceptPausedUntilNanos);
                return;
            }
            if (channel == null) {
                return;
            }
            adopt(channel, now);
        }
    }

    private void adopt(SocketChannel channel, long now) {
        String remote = "a client";
        final HttpConnection connection;
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            remote = String.valueOf(channel.getRemoteAddress());
            if (active >= limits.maxConnections() && !evictIdle(now)) {
                refuse(channel, remote, now);
                return;
            }
            connection = new HttpConnection(channel, remote, limits.maxHeadBytes());
            connection.key = channel.register(selector, SelectionKey.OP_READ, connection);
            connection.interestOps = SelectionKey.OP_READ;
            // A new connection has the head deadline at once, not the idle one: connecting and sending nothing is a
            // stalled request. Until its first byte it is idle, though: closed without an answer at the deadline
            // (no request to answer, and an answer could cross a request sent at that moment), and, once silent for
            // FRESH_EVICTABLE_NANOS, one that may go when the bound is reached.
            connection.idleSinceNanos = now;
            connection.deadlineNanos = now + limits.headTimeoutNanos();
            wakeBy(connection.deadlineNanos);
            connections.add(connection);
            connection.countedActive = true;
            active = active + 1;
        } catch (IOException e) {
            log.debug("monitoring connection {} closed while accepted: {}", remote, e.toString());
            closeQuietly(channel);
            return;
        }
        // Most clients send their request with the handshake's last ACK: read it now, so that a burst of accepts
        // does not take a connection whose request is already here for a silent one.
        try {
            read(connection, now);
        } catch (IOException | RuntimeException e) {
            failed(connection, e);
        }
    }

    /**
     * @return whether an idle connection was closed to make room, the one idle the longest: kept alive between two
     *         requests, or new and silent for {@link #FRESH_EVICTABLE_NANOS} (a pre-connect, a port scan).
     */
    private boolean evictIdle(long now) {
        HttpConnection oldest = null;
        for (int i = 0, n = connections.size(); i < n; i++) {
            final HttpConnection c = connections.get(i);
            final boolean idle = c.state == HttpConnection.State.READING_HEAD && !c.requestStarted && c.inputLength() == 0
                    && (c.served > 0 || now - c.idleSinceNanos >= FRESH_EVICTABLE_NANOS);
            if (idle && (oldest == null || c.idleSinceNanos - oldest.idleSinceNanos < 0)) {
                oldest = c;
            }
        }
        if (oldest == null) {
            return false;
        }
        log.debug("monitoring connection {} closed: idle, and a new connection needed its place", oldest.remote);
        close(oldest);
        return true;
    }

    /** The listener is at its bound and no connection is idle: a fixed 503, then the refused connection lingers. */
    private void refuse(SocketChannel channel, String remote, long now) throws IOException {
        refused = refused + 1;
        final long quiet = refusalLog.tryLog(now);
        if (quiet >= 0) {
            log.warn("monitoring listener at its bound of {} connections: refused with 503 since the last such line: {} "
                    + "(logged at most every 10 s; summoner_monitoring_closed_total{reason=\"refused\"})",
                    limits.maxConnections(), quiet + 1);
        }
        final ByteBuffer answer = ByteBuffer.wrap(refusal);
        channel.write(answer);
        if (answer.hasRemaining() || lingering >= limits.maxLingering()) {
            closeQuietly(channel);
            return;
        }
        final HttpConnection connection = new HttpConnection(channel, remote, 0);
        connection.key = channel.register(selector, 0, connection);
        connections.add(connection);
        startLinger(connection, now);
    }

    private void read(HttpConnection connection, long now) throws IOException {
        final int n = connection.channel.read(connection.inputBuffer);
        if (n < 0) {
            log.debug("monitoring connection {} closed by its client", connection.remote);
            close(connection);
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
                wakeBy(connection.deadlineNanos);
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
                    headsTooLarge = headsTooLarge + 1;
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
                malformed = malformed + 1;
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
        interest(connection, 0);
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
        selector.wakeup();
        if (fatal != null) {
            throw fatal;
        }
    }

    private void onRendered(HttpConnection connection, long now) {
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
            close(connection);
        }
    }

    /**
     * Starts writing {@code response}; the connection closes after it when the response, the client or a body the
     * request announced says so.
     *
     * @param request null for an answer to a head that did not parse, or never ended.
     */
    private void respond(HttpConnection connection, HttpRequest request, HttpResponse response, long now) throws IOException {
        final boolean close = response.close() || request == null || !request.keepAlive() || request.hasBody() || !running;
        final byte[] head = response.head(close, request != null && !request.http11() && !close);
        final byte[] body = request != null && request.isHead() ? EMPTY : response.body();
        connection.request = null;
        connection.output = new ByteBuffer[]{ByteBuffer.wrap(head), ByteBuffer.wrap(body)};
        connection.closeAfterWrite = close;
        connection.state = HttpConnection.State.WRITING;
        connection.deadlineNanos = now + limits.writeTimeoutNanos();
        wakeBy(connection.deadlineNanos);
        flush(connection, now);
    }

    /** @return whether the response was written whole (and the connection moved on: to its next request, or to linger). */
    private boolean flush(HttpConnection connection, long now) throws IOException {
        final ByteBuffer[] output = connection.output;
        connection.channel.write(output);
        if (output[0].hasRemaining() || output[1].hasRemaining()) {
            interest(connection, SelectionKey.OP_WRITE);
            return false;
        }
        connection.output = NOTHING;
        connection.served++;
        if (connection.closeAfterWrite) {
            startLinger(connection, now);
            return true;
        }
        connection.state = HttpConnection.State.READING_HEAD;
        interest(connection, SelectionKey.OP_READ);
        connection.requestStarted = connection.inputLength() > 0;
        connection.idleSinceNanos = now;
        connection.deadlineNanos = now + (connection.requestStarted ? limits.headTimeoutNanos() : limits.idleTimeoutNanos());
        wakeBy(connection.deadlineNanos);
        return true;
    }

    /** Output done: FIN after the last response, then input discarded until the client closes or the linger ends. */
    private void startLinger(HttpConnection connection, long now) {
        if (connection.countedActive) {
            connection.countedActive = false;
            active = active - 1;
        }
        if (lingering >= limits.maxLingering()) {
            close(connection);
            return;
        }
        connection.state = HttpConnection.State.LINGERING;
        lingering = lingering + 1;
        connection.deadlineNanos = now + limits.lingerNanos();
        wakeBy(connection.deadlineNanos);
        try {
            connection.channel.shutdownOutput();
            interest(connection, SelectionKey.OP_READ);
            discard(connection);
        } catch (IOException e) {
            close(connection);
        }
    }

    private void discard(HttpConnection connection) throws IOException {
        for (int i = 0; i < MAX_DISCARD_READS_PER_TURN && connection.open; i++) {
            discard.clear();
            final int n = connection.channel.read(discard);
            if (n < 0) {
                close(connection);
            }
            if (n <= 0) {
                return;
            }
        }
    }

    /** Closes what is past its deadline and finds the next deadline; a turn's one walk over the connections. */
    private void expire(long now) {
        if (acceptPausedUntilNanos != 0 && now - acceptPausedUntilNanos >= 0 && serverKey.isValid()) {
            acceptPausedUntilNanos = 0;
            serverKey.interestOps(SelectionKey.OP_ACCEPT);
        }
        if (nextDeadlineNanos == Long.MAX_VALUE || now - nextDeadlineNanos < 0) {
            return;
        }
        boolean any = acceptPausedUntilNanos != 0;
        long next = acceptPausedUntilNanos;
        for (int i = connections.size() - 1; i >= 0; i--) {
            final HttpConnection connection = connections.get(i);
            if (connection.state != HttpConnection.State.RENDERING && now - connection.deadlineNanos >= 0) {
                expire(connection, now);
            }
            if (connection.open && connection.state != HttpConnection.State.RENDERING
                    && (!any || connection.deadlineNanos - next < 0)) {
                any = true;
                next = connection.deadlineNanos;
            }
        }
        nextDeadlineNanos = any ? next : Long.MAX_VALUE;
    }

    private void expire(HttpConnection connection, long now) {
        try {
            switch (connection.state) {
                case READING_HEAD -> {
                    if (connection.requestStarted) {
                        headTimeouts = headTimeouts + 1;
                        log.debug("monitoring connection {}: request head not complete in time", connection.remote);
                        respond(connection, null, HttpResponse.closing(408, "request timeout: the request's head was "
                                + "not complete within " + TimeUnit.NANOSECONDS.toMillis(limits.headTimeoutNanos()) + " ms"), now);
                    } else if (connection.served == 0) {
                        headTimeouts = headTimeouts + 1;
                        log.debug("monitoring connection {} closed: it sent nothing in time", connection.remote);
                        close(connection);
                    } else {
                        idleTimeouts = idleTimeouts + 1;
                        log.debug("monitoring connection {} closed: idle", connection.remote);
                        close(connection);
                    }
                }
                case WRITING -> {
                    writeTimeouts = writeTimeouts + 1;
                    log.debug("monitoring connection {} dropped: its response was not taken in time", connection.remote);
                    close(connection);
                }
                case LINGERING -> close(connection);
                case RENDERING -> {
                }
            }
        } catch (IOException e) {
            close(connection);
        }
    }

    /**
     * A fault in the listener's own code (never a client's doing alone, but a client may repeat what caused it):
     * logged at WARN at most every 10 s, from any thread.
     */
    private void fault(String what, Throwable error) {
        if (faultLog.tryLog(System.nanoTime()) >= 0) {
            log.warn("{} (faults are logged at most every 10 s)", what, error);
        }
    }

    /** The next turn starts by {@code deadlineNanos} at the latest. */
    private void wakeBy(long deadlineNanos) {
        if (nextDeadlineNanos == Long.MAX_VALUE || deadlineNanos - nextDeadlineNanos < 0) {
            nextDeadlineNanos = deadlineNanos;
        }
    }

    private void interest(HttpConnection connection, int ops) {
        final int was = connection.interestOps;
        if (was != ops) {
            connection.key.interestOps(ops);
            connection.interestOps = ops;
            if ((was & SelectionKey.OP_WRITE) != (ops & SelectionKey.OP_WRITE)) {
                blocked = blocked + ((ops & SelectionKey.OP_WRITE) != 0 ? 1 : -1);
            }
        }
    }

    private void close(HttpConnection connection) {
        if (!connection.open) {
            return;
        }
        connection.open = false;
        if (connection.countedActive) {
            connection.countedActive = false;
            active = active - 1;
        } else if (connection.state == HttpConnection.State.LINGERING) {
            lingering = lingering - 1;
        }
        if ((connection.interestOps & SelectionKey.OP_WRITE) != 0) {
            blocked = blocked - 1;
        }
        connections.remove(connection);
        connection.key.cancel();
        closeQuietly(connection.channel);
    }

    private void shutdown() {
        for (int i = connections.size() - 1; i >= 0; i--) {
            close(connections.get(i));
        }
        closeQuietly(server);
        try {
            selector.close();
        } catch (IOException e) {
            log.debug("closing the monitoring selector: {}", e.toString());
        }
    }

    private static void closeQuietly(Channel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing a monitoring connection: {}", e.toString());
        }
    }
}
