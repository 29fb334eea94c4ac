package org.summoner.relay.monitoring;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.counters.LogThrottle;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
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
 * hand each response back through a queue and {@link Selector#wakeup()}; the counts ({@link #connections()}) are
 * written by the listener's thread only and may be read from any.
 *
 * <p>Parts: this class owns the thread, the selector, accepting and the bound; {@link HttpExchanges} reads, answers
 * and writes requests on a connection and applies its deadlines; {@link HttpConnections} keeps the connections, their
 * counts and the next deadline.
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
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /**
     * A new connection that has sent nothing for this long may be closed to admit another at the bound: long enough
     * for a real client's first bytes to arrive after its handshake, short against the head timeout.
     */
    static final long FRESH_EVICTABLE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long ACCEPT_ERROR_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MAX_SELECT_MILLIS = 1000;

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
    private final HttpConnections connections;
    private final HttpExchanges exchanges;
    private volatile boolean running = true;

    private long acceptPausedUntilNanos;
    private final LogThrottle refusalLog = new LogThrottle(LOG_INTERVAL_NANOS);

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
        this.connections = new HttpConnections(limits);
        this.exchanges = new HttpExchanges(limits, endpoints, connections, render, rendered, selector::wakeup);
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

    /** @return the connections and their counts ({@code summoner_monitoring_*}), readable from any thread. */
    HttpConnections connections() {
        return connections;
    }

    /** Stops accepting, closes every connection, and waits up to a second each for the two kinds of thread. */
    @Override
    public void close() {
        running = false;
        exchanges.stop();
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
                    exchanges.fault("monitoring listener: unexpected error in a turn; serving on", e);
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
                exchanges.onReady((HttpConnection) key.attachment(), key, now);
            }
        }
        selected.clear();
        for (HttpConnection connection; (connection = rendered.poll()) != null; ) {
            exchanges.onRendered(connection, now);
        }
        // After the reads: connections whose clients closed in this turn leave room for new ones first.
        if (acceptable && running) {
            accept(now);
        }
        expire(now);
    }

    private long selectTimeoutMillis(long now) {
        final long next = connections.nextDeadlineNanos();
        if (next == Long.MAX_VALUE) {
            return MAX_SELECT_MILLIS;
        }
        final long millis = TimeUnit.NANOSECONDS.toMillis(next - now) + 1;
        return Math.max(1, Math.min(MAX_SELECT_MILLIS, millis));
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
                exchanges.fault("monitoring listener: accept failed, retrying every 100 ms", e);
                acceptPausedUntilNanos = now + ACCEPT_ERROR_BACKOFF_NANOS;
                serverKey.interestOps(0);
                connections.wakeBy(acceptPausedUntilNanos);
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
            if (connections.atBound() && !connections.evictIdle(now)) {
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
            connections.wakeBy(connection.deadlineNanos);
            connections.addActive(connection);
        } catch (IOException e) {
            log.debug("monitoring connection {} closed while accepted: {}", remote, e.toString());
            HttpConnections.closeQuietly(channel);
            return;
        }
        // Most clients send their request with the handshake's last ACK: read it now, so that a burst of accepts
        // does not take a connection whose request is already here for a silent one.
        try {
            exchanges.read(connection, now);
        } catch (IOException | RuntimeException e) {
            exchanges.failed(connection, e);
        }
    }

    /** The listener is at its bound and no connection is idle: a fixed 503, then the refused connection lingers. */
    private void refuse(SocketChannel channel, String remote, long now) throws IOException {
        connections.countRefused();
        final long quiet = refusalLog.tryLog(now);
        if (quiet >= 0) {
            log.warn("monitoring listener at its bound of {} connections: refused with 503 since the last such line: {} "
                    + "(logged at most every 10 s; summoner_monitoring_closed_total{reason=\"refused\"})",
                    limits.maxConnections(), quiet + 1);
        }
        final ByteBuffer answer = ByteBuffer.wrap(refusal);
        channel.write(answer);
        if (answer.hasRemaining() || !connections.mayLinger()) {
            HttpConnections.closeQuietly(channel);
            return;
        }
        final HttpConnection connection = new HttpConnection(channel, remote, 0);
        connection.key = channel.register(selector, 0, connection);
        connections.addRefused(connection);
        exchanges.startLinger(connection, now);
    }

    /** Resumes accepting after a failed accept's pause, and closes what is past its deadline. */
    private void expire(long now) {
        if (acceptPausedUntilNanos != 0 && now - acceptPausedUntilNanos >= 0 && serverKey.isValid()) {
            acceptPausedUntilNanos = 0;
            serverKey.interestOps(SelectionKey.OP_ACCEPT);
        }
        connections.expire(now, acceptPausedUntilNanos, exchanges::expire);
    }

    private void shutdown() {
        connections.closeAll();
        HttpConnections.closeQuietly(server);
        try {
            selector.close();
        } catch (IOException e) {
            log.debug("closing the monitoring selector: {}", e.toString());
        }
    }
}
