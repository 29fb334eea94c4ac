package org.summoner.relay.agrona;

import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.core.Dispatcher;
import org.summoner.relay.core.Faults;
import org.summoner.relay.core.Route;
import org.summoner.relay.selector.Listener;
import org.summoner.relay.spi.BlockingAcceptor;
import org.summoner.relay.spi.EngineContext;
import org.summoner.relay.spi.EngineGauge;
import org.summoner.relay.spi.JdkIoWarmUp;
import org.summoner.relay.spi.RelayEngine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Agrona engine: an acceptor thread, {@code io_threads} socket I/O agents and one fan-out agent, each agent on
 * its own {@link AgentRunner} thread (or, with {@code "threading": "shared"}, the one I/O agent and the fan-out agent
 * on one thread as a {@link CompositeAgent}), joined by Agrona ring buffers: one {@link ManyToOneRingBuffer} of lines from
 * every I/O agent to the fan-out agent, and one {@link OneToOneRingBuffer} of envelope batches from the fan-out
 * agent to each I/O agent. See {@code summoner-engine-agrona/README.md}.
 */
final class AgronaRelayEngine implements RelayEngine {
    private static final Logger log = LoggerFactory.getLogger(AgronaRelayEngine.class);
    private static final long JOIN_SLACK_MILLIS = 5_000;
    private static final Runnable NO_ONE = () -> { };

    private final EngineContext context;
    private final AgronaSettings settings;
    private final List<AgentRunner> runners = new ArrayList<>();
    private IoAgent[] ioAgents = new IoAgent[0];
    private volatile List<EngineGauge> gauges = List.of();
    private volatile ClusterIntake clusterIntake;
    private AgentRunner fanOutRunner;
    private Listener listener;
    private InetSocketAddress boundAddress;
    private boolean started;
    private boolean closed;

    AgronaRelayEngine(EngineContext context, AgronaSettings settings) {
        this.context = context;
        this.settings = settings;
    }

    @Override
    public synchronized void start() throws IOException {
        if (started || closed) {
            throw new IllegalStateException("start() may be called once");
        }
        started = true;
        for (String warning : settings.warnings()) {
            log.warn(warning);
        }
        JdkIoWarmUp.run();
        final RingBuffer lines = new ManyToOneRingBuffer(ring(settings.linesRingBytes()));
        final RingBuffer[] outbound = new RingBuffer[settings.ioThreads()];
        for (int i = 0; i < outbound.length; i++) {
            outbound[i] = new OneToOneRingBuffer(ring(settings.outboundRingBytes()));
        }
        // Dedicated threads wake each other (the fan-out agent's wakers are filled in once the I/O agents exist);
        // agents that share a thread take turns and have no one to wake.
        final boolean shared = settings.shared();
        final Runnable[] wakers = new Runnable[outbound.length];
        final FanOutAgent fanOut = new FanOutAgent(lines, outbound, wakers, context.counters());
        final IdleStrategies.Wakeable fanOutIdle = shared ? null
                : new IdleStrategies.Wakeable(IdleStrategies.create(settings.idleStrategy()), fanOut::hasWork);
        final Runnable wakeFanOut = shared ? NO_ONE : fanOutIdle::wake;
        final IoAgent[] agents = new IoAgent[outbound.length];
        final ServerSocketChannel server = BlockingAcceptor.bind(context);
        try {
            for (int i = 0; i < agents.length; i++) {
                agents[i] = new IoAgent(i, context.core(), lines, outbound[i], wakeFanOut);
                wakers[i] = shared ? NO_ONE : agents[i]::wakeup;
            }
        } catch (IOException | RuntimeException e) {
            Listener.closeSelectors(agents);
            server.close();
            throw e;
        }
        ioAgents = agents;
        context.core().onReload(() -> { // each agent applies a reload to its clients at its next turn: now
            for (IoAgent agent : agents) {
                agent.wakeup();
            }
        });
        gauges = ringGauges(lines, outbound);
        // Lines from other nodes wake the fan-out agent: on its own thread, or in the I/O agent's select() when shared.
        clusterIntake = new ClusterIntake(lines, shared ? agents[0]::wakeup : wakeFanOut, context.counters());

        if (shared) {
            // One thread: the I/O agent, then the fan-out agent, in turns; it waits in the I/O agent's select().
            final IoAgent agent = agents[0];
            final AgentRunner runner = new AgentRunner(new SelectorIdleStrategy(settings.idleStrategy(), agent),
                    error -> onAgentError(agent, agent.roleName() + "+fan-out", error), null, new CompositeAgent(agent, fanOut));
            runners.add(runner);
            AgentRunner.startOnThread(runner);
        } else {
            fanOutRunner = new AgentRunner(fanOutIdle, error -> onAgentError(null, fanOut.roleName(), error), null, fanOut);
            AgentRunner.startOnThread(fanOutRunner);
            for (IoAgent agent : agents) {
                final AgentRunner runner = new AgentRunner(new SelectorIdleStrategy(settings.idleStrategy(), agent),
                        error -> onAgentError(agent, agent.roleName(), error), null, agent);
                runners.add(runner);
                AgentRunner.startOnThread(runner);
            }
        }
        listener = new Listener(server, context, agents, "summoner-agrona-acceptor");
        boundAddress = listener.address();
        log.debug("Agrona engine started: {} I/O agents, {} threading, idle strategy {}, rings {} + {} x {} bytes, on {}",
                agents.length, settings.threading(), settings.idleStrategy(), settings.linesRingBytes(), agents.length,
                settings.outboundRingBytes(), boundAddress);
    }

    /** How full the rings are: what waits between the agents (a ring's {@code size()} is safe from any thread). */
    private static List<EngineGauge> ringGauges(RingBuffer lines, RingBuffer[] outbound) {
        final List<EngineGauge> gauges = new ArrayList<>();
        final String used = "summoner_agrona_ring_used_bytes";
        final String usedHelp = "Bytes waiting in an Agrona ring: lines from the I/O agents to the fan-out agent, or batches to one I/O agent.";
        final String capacity = "summoner_agrona_ring_capacity_bytes";
        final String capacityHelp = "The data capacity of an Agrona ring.";
        gauges.add(new EngineGauge(used, usedHelp, Map.of("ring", "lines"), lines::size));
        gauges.add(new EngineGauge(capacity, capacityHelp, Map.of("ring", "lines"), lines::capacity));
        for (int i = 0; i < outbound.length; i++) {
            final RingBuffer ring = outbound[i];
            final Map<String, String> labels = Map.of("ring", "outbound-" + i);
            gauges.add(new EngineGauge(used, usedHelp, labels, ring::size));
            gauges.add(new EngineGauge(capacity, capacityHelp, labels, ring::capacity));
        }
        return List.copyOf(gauges);
    }

    @Override
    public List<EngineGauge> gauges() {
        return gauges;
    }

    /** A ring of {@code capacity} data bytes on direct memory, so I/O agents can write from it to sockets. */
    private static UnsafeBuffer ring(int capacity) {
        return new UnsafeBuffer(ByteBuffer.allocateDirect(AgronaSettings.allocation(capacity)));
    }

    /**
     * An agent's duty cycle threw past the barriers of the core and of its loop (which close the one connection
     * concerned). The core's {@link Faults} counts and logs it at most every 10 s; the agent goes on. An error the JVM
     * cannot recover from ends the agent's thread (Agrona rethrows it once this returns): an I/O agent closes its
     * clients first, and the relay is unhealthy. Called on the agent's thread.
     *
     * @param io the I/O agent of the thread, or null for the fan-out agent's own thread.
     */
    private void onAgentError(IoAgent io, String agent, Throwable error) {
        if (error instanceof AgentTerminationException) {
            return;
        }
        if (Faults.recoverable(error)) {
            context.core().faults().record(Faults.Where.ENGINE, agent, "the agent goes on", error);
        } else if (io != null) {
            io.dying(error);
        } else {
            context.core().faults().threadDied(agent, error);
        }
    }

    @Override
    public synchronized InetSocketAddress boundAddress() {
        if (boundAddress == null) {
            throw new IllegalStateException("not started");
        }
        return boundAddress;
    }

    @Override
    public void relayFromCluster(byte[] envelope, int offset, int length, Route route) {
        final ClusterIntake intake = clusterIntake;
        if (intake != null) {
            intake.relay(envelope, offset, length, route);
        }
    }

    @Override
    public synchronized void stopAccepting() {
        if (listener != null) {
            listener.close();
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (clusterIntake != null) {
            clusterIntake.stop();
        }
        if (listener != null) {
            listener.close();
        }
        for (IoAgent agent : ioAgents) {
            agent.requestShutdown();
        }
        final long waitMillis = TimeUnit.NANOSECONDS.toMillis(Dispatcher.LINGER_NANOS) + JOIN_SLACK_MILLIS;
        for (IoAgent agent : ioAgents) {
            try {
                if (!agent.awaitStopped(waitMillis)) {
                    log.warn("{} did not stop within {} ms", agent.roleName(), waitMillis);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (AgentRunner runner : runners) {
            runner.close();
        }
        if (fanOutRunner != null) {
            fanOutRunner.close();
        }
    }
}
