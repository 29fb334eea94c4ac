package org.summoner.relay.tck;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.summoner.relay.monitoring.RelayStats;
import org.summoner.relay.RunningServer;
import org.summoner.relay.SummonerServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * What every section of the conformance kit shares: servers of the engine under test started through the public
 * {@link SummonerServer} facade with {@code "version"} set to its name (so the kit also proves the engine is found
 * through {@link java.util.ServiceLoader}), clients tracked and closed after each test, and waits with deadlines.
 * Every server binds 127.0.0.1 (or ::1) on a free port; every read has a deadline; every test has a timeout.
 *
 * <p>The base configuration lifts {@code rate_limit_msgs_per_minute} so that tests about framing and ordering are
 * not about rate limiting, which has tests of its own.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class KitHarness {
    static final Duration AWAIT = Duration.ofSeconds(20);

    private final List<RunningServer> servers = Collections.synchronizedList(new ArrayList<>());
    private final List<KitClient> clients = Collections.synchronizedList(new ArrayList<>());

    /**
     * @return the engine under test, as the config's {@code "version"} names it (e.g. {@code nio}).
     */
    protected abstract String engineName();

    /**
     * @return top-level sections put into every configuration the kit writes, e.g. an engine's own section
     * ({@code "agrona": {"threading": "shared"}}) to run the whole kit in another of its modes; none by default.
     */
    protected Map<String, ?> engineSections() {
        return Map.of();
    }

    @AfterEach
    void closeEverything() {
        for (KitClient client : clients) {
            try {
                client.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
        servers.forEach(RunningServer::close);
    }

    /** Starts the engine under test on 127.0.0.1 and a free port, with the kit's base configuration. */
    protected RunningServer startServer() {
        return startServer(Map.of());
    }

    /** As {@link #startServer()}, with these {@code hyper_parameters} on top of the kit's base. */
    protected RunningServer startServer(Map<String, ?> hyperParameters) {
        return startServer("127.0.0.1", hyperParameters);
    }

    protected RunningServer startServer(String host, Map<String, ?> hyperParameters) {
        final RunningServer server = new SummonerServer("tck").start(host, 0, config(hyperParameters));
        servers.add(server);
        return server;
    }

    protected Map<String, Object> config(Map<String, ?> hyperParameters) {
        final Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("rate_limit_msgs_per_minute", 1_000_000_000);
        parameters.putAll(hyperParameters);
        final Map<String, Object> config = new LinkedHashMap<>();
        config.put("version", engineName());
        config.putAll(engineSections());
        config.put("hyper_parameters", parameters);
        return config;
    }

    /** A server of the engine under test with two registered clients. */
    protected record Pair(RunningServer server, KitClient a, KitClient b) {
    }

    /** Starts a server (with these {@code hyper_parameters}) and connects two clients it has registered. */
    protected Pair startPair(Map<String, ?> hyperParameters) throws IOException {
        return pairOn(startServer(hyperParameters));
    }

    /** Connects two clients to {@code server} and waits until it has registered them. */
    protected Pair pairOn(RunningServer server) throws IOException {
        final KitClient a = connect(server);
        final KitClient b = connect(server);
        awaitConnections(server, 2);
        return new Pair(server, a, b);
    }

    protected Pair startPair() throws IOException {
        return startPair(Map.of());
    }

    /** Connects a client (over TLS when {@link #engineSections()} sets {@code tls}); the kit closes it after the test. */
    protected KitClient connect(RunningServer server) throws IOException {
        return connect(server.address(), 0, null);
    }

    /**
     * As {@link #connect(RunningServer)}, to {@code address}, with a receive buffer of {@code receiveBufferBytes} (0: the
     * system's) and from {@code localAddress} (null: any).
     */
    protected KitClient connect(InetSocketAddress address, int receiveBufferBytes, InetAddress localAddress) throws IOException {
        return track(KitClient.connect(address, receiveBufferBytes, localAddress, overTls() ? KitTls.client() : null));
    }

    /** @return whether the kit's servers speak TLS ({@code "tls"} among {@link #engineSections()}), and its clients with them. */
    protected boolean overTls() {
        return engineSections().containsKey("tls");
    }

    /** A server started by the test itself, closed after it. */
    protected RunningServer track(RunningServer server) {
        servers.add(server);
        return server;
    }

    protected KitClient track(KitClient client) {
        clients.add(client);
        return client;
    }

    /**
     * Waits until the server has registered exactly {@code open} clients: from then on, each of them receives
     * what is relayed.
     */
    protected static void awaitConnections(RunningServer server, long open) {
        await("the server to count " + open + " open connections", () -> server.stats().connectionsOpen() == open,
                () -> "open: " + server.stats().connectionsOpen());
    }

    /**
     * Waits for the counters: engines may publish them once per batch, a moment after the lines went out.
     */
    protected static void awaitStats(RunningServer server, String what, Predicate<RelayStats> condition) {
        await(what, () -> condition.test(server.stats()), () -> server.stats().toString());
    }

    protected static void await(String what, BooleanSupplier condition, Callable<String> state) {
        final long deadline = System.nanoTime() + AWAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                String now;
                try {
                    now = state.call();
                } catch (Exception e) {
                    now = e.toString();
                }
                fail("timed out after " + AWAIT + " waiting for " + what + "; " + now);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted while waiting for " + what);
            }
        }
    }

    /** @return the exact envelope line {@code sender}'s line reaches recipients as, without its {@code \n}. */
    protected static String envelope(KitClient sender, String jsonEscapedContent) {
        return envelope(sender.address(), jsonEscapedContent);
    }

    /** @param remoteAddr the sender as {@code remote_addr} shows it, e.g. {@code 127.0.0.1:5555}. */
    protected static String envelope(String remoteAddr, String jsonEscapedContent) {
        return "{\"remote_addr\":\"" + remoteAddr + "\",\"content\":\"" + jsonEscapedContent + "\"}";
    }

    protected static byte[] bytes(int... values) {
        final byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    protected static OutputStream socketOutput(KitClient client) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                client.send(new byte[]{(byte) b});
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                client.send(Arrays.copyOfRange(b, off, off + len));
            }
        };
    }

    protected static boolean ipv6LoopbackWorks() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            return probe.getInetAddress() instanceof Inet6Address && NetworkInterface.getByInetAddress(probe.getInetAddress()) != null;
        } catch (IOException e) {
            return false;
        }
    }
}
