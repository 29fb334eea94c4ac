package org.summoner.relay.core;

import org.summoner.relay.config.ServerConfig;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An engine without sockets for the core's tests: one dispatcher that records what it is asked to dispatch, and
 * outputs that record what their sessions send. The clock is set by hand.
 */
final class FakeEngine extends Dispatcher {
    /** One dispatch: the sender, the envelope's text and the route. */
    record Dispatched(Session sender, String envelope, Route route) {
    }

    /** A connection's output: the lines sent, the goodbye, whether it was closed. */
    static class Output implements SessionOutput {
        final List<String> sent = new ArrayList<>();
        String goodbye;
        boolean closed;

        @Override
        public void send(byte[] line) {
            sent.add(new String(line, StandardCharsets.UTF_8));
        }

        @Override
        public void goodbye(byte[] line) {
            goodbye = new String(line, StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            closed = true;
        }

        /** Whether the core says to read it ({@link SessionOutput#reading}): not during its pause or while it holds input. */
        boolean reading = true;

        @Override
        public void reading(boolean read) {
            reading = read;
        }

        /** Nothing is ever written: every line sent waits. */
        @Override
        public long backlogBytes() {
            long bytes = 0;
            for (String line : sent) {
                bytes += line.getBytes(StandardCharsets.UTF_8).length;
            }
            return bytes;
        }
    }

    final List<Dispatched> dispatched = new ArrayList<>();

    FakeEngine(RelayCore core) {
        super(core);
    }

    static FakeEngine of(Map<String, ?> hyperParameters) {
        return new FakeEngine(RelayCore.of(ServerConfig.fromMap(Map.of("hyper_parameters", hyperParameters))));
    }

    /**
     * An engine whose core routes as its config says ({@code routing}, the handshake), as a server's does, its
     * signature checks computed on this thread ({@code verification.threads: 0}), so a test decides every turn.
     */
    static FakeEngine routed(Map<String, ?> hyperParameters) {
        return routed(hyperParameters, Map.of("threads", 0));
    }

    /** As {@link #routed(Map)}, with the {@code verification} section given. */
    static FakeEngine routed(Map<String, ?> hyperParameters, Map<String, ?> verification) {
        final ServerConfig config = ServerConfig.fromMap(Map.of("hyper_parameters", hyperParameters, "verification", verification));
        return new FakeEngine(new RelayCore(config, new org.summoner.relay.counters.RelayCounters(),
                org.summoner.relay.policy.FairUsePolicy.of(config), org.summoner.relay.routing.Routers::of));
    }

    /** An engine whose core routes with {@code router}. */
    static FakeEngine of(Map<String, ?> hyperParameters, Router router) {
        final ServerConfig config = ServerConfig.fromMap(Map.of("hyper_parameters", hyperParameters));
        return new FakeEngine(new RelayCore(config, new org.summoner.relay.counters.RelayCounters(),
                org.summoner.relay.policy.FairUsePolicy.of(config), core -> router));
    }

    /** A connection registered and started, with its own output. */
    Session connect(String ip, int port, SessionOutput output) {
        try {
            final Session session = open(new InetSocketAddress(InetAddress.getByName(ip), port), output);
            session.start();
            return session;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Override
    protected void wake() {
        // lines back from a verification pool are taken up at the next newTurn(), which the test calls
    }

    @Override
    protected void dispatch(Session sender, byte[] envelope, int length, Route route) {
        dispatched.add(new Dispatched(sender, new String(envelope, 0, length, StandardCharsets.UTF_8), route));
    }

    /** A connection registered and started, as an engine does once it can carry lines. */
    Session connect(String ip, int port) {
        return connect(ip, port, new Output());
    }

    static Output output(Session session) {
        return (Output) session.output();
    }

    void at(long nanos) {
        setClock(nanos);
    }

    void sweep() {
        runTimedDuties();
    }

    /** A turn: budgets renewed, held input taken up, as an engine does once per loop. */
    void newTurn() {
        nextTurn();
        resumeHeldInput();
    }

    boolean holding() {
        return holdsInput();
    }

    void shutdown(long deadline) {
        sayGoodbyeToAll(deadline);
    }

    static void send(Session session, String text) {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        session.onBytes(bytes, 0, bytes.length);
    }
}
