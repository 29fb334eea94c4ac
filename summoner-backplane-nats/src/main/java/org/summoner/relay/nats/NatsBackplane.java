package org.summoner.relay.nats;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.cluster.Backplane;
import org.summoner.relay.cluster.BackplaneContext;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One NATS connection per node, {@code noEcho} (a node never gets its own frames back), reconnecting forever with
 * back-off to any server of the list or that the NATS cluster advertises. Frames go out on {@code <prefix>.all} or
 * {@code <prefix>.node.<name>}; one dispatcher thread receives both, so each publisher's order is kept. While the
 * connection is down nothing is buffered ({@code reconnectBufferSize} 0): {@link #publish} returns false and the
 * core counts and reports it, and the node keeps serving its own clients.
 */
final class NatsBackplane implements Backplane {
    private static final Logger log = LoggerFactory.getLogger(NatsBackplane.class);
    private static final int DEFAULT_MAX_PAYLOAD = 1024 * 1024;

    private final BackplaneContext context;
    private final NatsSettings settings;
    private final String all;
    private final String prefix;
    private final ConcurrentHashMap<String, String> nodeSubjects = new ConcurrentHashMap<>();
    private volatile Connection connection;
    /** The client's connection as its events and errors tell it, connected or not yet. */
    private volatile Connection attempt;
    private volatile boolean closed;
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile boolean up;

    NatsBackplane(BackplaneContext context) {
        this.context = context;
        this.settings = NatsSettings.read(context.section());
        this.prefix = settings.subjectPrefix();
        this.all = prefix + ".all";
    }

    @Override
    public void start() throws IOException {
        final Options.Builder builder = new Options.Builder();
        final NatsSettings.Auth auth = settings.auth();
        if (auth.user() != null) {
            builder.userInfo(auth.user(), auth.password());
        } else if (auth.token() != null) {
            builder.token(auth.token().toCharArray());
        } else if (auth.credentials() != null) {
            builder.authHandler(auth.credentials()); // not Nats.credentials: it signs through BouncyCastle, left out
        }
        if (settings.tls() != null) {
            builder.sslContext(settings.tls().context()); // every server, nats:// ones too: TLS settings imply TLS
        }
        final Options options = builder
                .servers(settings.servers().toArray(String[]::new))
                .connectionName("summoner-relay " + context.node())
                .noEcho()
                .maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(250))
                .reconnectJitter(Duration.ofMillis(100))
                .connectionTimeout(Duration.ofSeconds(2))
                // a link that silently stops (a partition: no FIN, no reset) is found in 3 to 4 s, not at the client's
                // default of 2 pings of 2 min: until then frames go into a dead socket, neither sent nor counted
                .pingInterval(Duration.ofSeconds(1))
                .maxPingsOut(3)
                .reconnectBufferSize(0)
                .connectionListener(this::onEvent)
                .errorListener(new NatsErrors(settings.tls() != null, this::attempting))
                .build();
        try {
            Nats.connectAsynchronously(options, true); // the node serves its own clients while NATS is out of reach
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting to connect to NATS", e);
        }
        log.info("cluster: connecting to NATS {}", String.join(",", settings.servers()));
    }

    /** The first connection: frames from every node and for this one come in on one dispatcher thread, in order. */
    private void subscribe(Connection connection) {
        final Dispatcher dispatcher = connection.createDispatcher(message -> {
            final byte[] data = message.getData();
            context.receiver().onFrame(data, 0, data.length);
        });
        dispatcher.subscribe(all);
        dispatcher.subscribe(subject(context.node()));
        this.connection = connection; // the client resubscribes by itself after a reconnect
    }

    private String subject(String node) {
        return nodeSubjects.computeIfAbsent(node, n -> prefix + ".node." + n);
    }

    /**
     * The client's connection, told by its errors even before it ever connected: a node closed meanwhile closes it
     * (on a thread of its own: not the client's), so its reconnecting stops with the node, not with the JVM.
     */
    private void attempting(Connection connection) {
        if (connection == null) {
            return;
        }
        attempt = connection;
        if (closed && closing.compareAndSet(false, true)) {
            final Thread closer = new Thread(() -> closeQuietly(connection), "summoner-cluster-nats-close");
            closer.setDaemon(true);
            closer.start();
        }
    }

    private void onEvent(Connection connection, ConnectionListener.Events event) {
        attempting(connection);
        switch (event) {
            case CONNECTED -> {
                if (this.connection == null) {
                    subscribe(connection);
                }
                up = true;
                log.info("cluster: connected to NATS {}", connection.getConnectedUrl());
            }
            case RECONNECTED -> { // also the first connection, when NATS was out of reach at start
                if (this.connection == null) {
                    subscribe(connection);
                }
                up = true;
                log.info("cluster: reconnected to NATS {}", connection.getConnectedUrl());
            }
            case DISCONNECTED -> {
                if (up) { // once per outage, not once per failed attempt
                    up = false;
                    log.warn("cluster: disconnected from NATS; reconnecting; lines for other nodes are not sent meanwhile");
                }
            }
            case CLOSED -> log.debug("cluster: NATS connection closed");
            default -> log.debug("cluster: NATS {}", event);
        }
    }

    @Override
    public boolean publish(String node, byte[] frame, int offset, int length) {
        final Connection connection = this.connection;
        if (connection == null || connection.getStatus() != Connection.Status.CONNECTED) {
            return false;
        }
        try {
            connection.publish(node == null ? all : subject(node), Arrays.copyOfRange(frame, offset, offset + length));
            return true;
        } catch (IllegalStateException | IllegalArgumentException e) {
            return false; // closed or reconnecting since the status was read; or over the server's max_payload
        }
    }

    @Override
    public int maxFrameBytes() {
        final Connection connection = this.connection;
        final long max = connection == null ? 0 : connection.getMaxPayload();
        return max > 0 ? (int) Math.min(max, Integer.MAX_VALUE) : DEFAULT_MAX_PAYLOAD;
    }

    @Override
    public String describe() {
        return "nats " + String.join(",", settings.servers()) + " subjects " + prefix + ".>"
                + (settings.tls() == null ? "" : " " + settings.tls());
    }

    @Override
    public void close() {
        closed = true;
        final Connection connection = this.connection;
        if (connection == null) { // never connected: the attempts stop now, or at their next error
            final Connection attempt = this.attempt;
            if (attempt != null && closing.compareAndSet(false, true)) {
                closeQuietly(attempt);
            }
            return;
        }
        closing.set(true);
        try {
            connection.flush(Duration.ofMillis(500));
        } catch (Exception e) {
            log.debug("cluster: NATS flush at close: {}", e.toString());
        }
        closeQuietly(connection);
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
