package org.summoner.relay.netty;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.core.Dispatcher;
import org.summoner.relay.core.Route;
import org.summoner.relay.policy.AdmissionControl;
import org.summoner.relay.spi.JdkIoWarmUp;
import org.summoner.relay.spi.EngineContext;
import org.summoner.relay.spi.EngineGauge;
import org.summoner.relay.spi.RelayEngine;
import org.summoner.relay.spi.ReusePort;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The Netty engine: one acceptor event loop ({@code summoner-netty-boss}) and {@code worker_threads} event loops
 * ({@code summoner-netty-worker}), each with a {@link NettyLoop} that owns the clients of that loop. Admission
 * (quarantine, connection limits) happens as each client's channel is initialised; a refused client is told why in
 * one line and closed.
 */
final class NettyRelayEngine implements RelayEngine {
    private static final Logger log = LoggerFactory.getLogger(NettyRelayEngine.class);
    /** The kernel caps it at net.core.somaxconn. */
    private static final int ACCEPT_BACKLOG = 4096;
    /** Above the high mark a client is "not writable" and its backlog is judged; the low mark re-arms it. */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);
    private static final long JOIN_SLACK_MILLIS = 5_000;

    private final EngineContext context;
    private final NettySettings settings;
    private volatile NettyLoop[] loopStates = new NettyLoop[0];
    private final Map<EventExecutor, NettyLoop> loops = new IdentityHashMap<>();
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel serverChannel;
    private InetSocketAddress boundAddress;
    private boolean closed;

    NettyRelayEngine(EngineContext context, NettySettings settings) {
        this.context = context;
        this.settings = settings;
    }

    @Override
    public synchronized void start() throws IOException {
        if (boss != null || closed) {
            throw new IllegalStateException("start() may be called once");
        }
        JdkIoWarmUp.run(); // Netty's NIO transport writes through the JDK
        for (String warning : settings.warnings()) {
            log.warn(warning);
        }
        final Transport transport = Transport.choose(settings.transport());
        boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("summoner-netty-boss"), transport.ioHandlerFactory());
        workers = new MultiThreadIoEventLoopGroup(context.config().hyperParameters().workerThreads(),
                new DefaultThreadFactory("summoner-netty-worker"), transport.ioHandlerFactory());
        final List<NettyLoop> states = new ArrayList<>();
        for (EventExecutor executor : workers) {
            final NettyLoop state = new NettyLoop((EventLoop) executor, context.core(), PooledByteBufAllocator.DEFAULT);
            loops.put(executor, state);
            states.add(state);
        }
        for (NettyLoop state : states) {
            state.peers(states.stream().filter(other -> other != state).toArray(NettyLoop[]::new));
            state.loop.execute(state::start);
        }
        loopStates = states.toArray(new NettyLoop[0]);
        // Throttle and flow control: a pause that starts is announced to every loop, which turns auto-read off.
        context.core().readPause().onStart(this::announcePause);
        context.core().onReload(this::announceReload);

        final ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, ACCEPT_BACKLOG)
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(new AcceptErrorBackoff(context.counters(), context.policy().acceptErrorBackoffMillis()))
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        admit(channel);
                    }
                });
        transport.keepalive(bootstrap, context.config().hyperParameters().tcpKeepalive());
        transport.reusePort(bootstrap, ReusePort.wanted(context.config()));
        final ChannelFuture bound = bootstrap.bind(context.bindAddress()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            shutDownGroups();
            throw bindFailure(bound.cause());
        }
        serverChannel = bound.channel();
        boundAddress = (InetSocketAddress) serverChannel.localAddress();
        log.debug("Netty engine started: {} worker event loops, {} transport, on {}", states.size(), transport.name(), boundAddress);
    }

    private void announcePause() {
        for (NettyLoop state : loopStates) {
            state.reading.announcePause();
        }
    }

    /** A reload published new settings: each loop applies them to its clients now, on its own thread. */
    private void announceReload() {
        for (NettyLoop state : loopStates) {
            try {
                state.settingsPublished();
            } catch (RejectedExecutionException shutDown) {
                // that loop has stopped: it has no clients left to apply anything to
            }
        }
    }

    /** On the client's event loop: admit it into that loop's state, or tell it why not and close it. */
    private void admit(Channel channel) {
        final InetSocketAddress remote = (InetSocketAddress) channel.remoteAddress();
        final AdmissionControl.Rejection rejection = context.policy().admission().admit(remote.getAddress(), System.nanoTime());
        if (rejection != null) {
            context.counters().connectionRejected(rejection.reason());
            log.debug("refused {}: {}", remote, rejection.reason());
            channel.writeAndFlush(Unpooled.wrappedBuffer(rejection.line())).addListener((ChannelFutureListener) written -> {
                if (written.isSuccess() && channel instanceof DuplexChannel) {
                    ((DuplexChannel) channel).shutdownOutput().addListener(done -> channel.close());
                } else {
                    channel.close();
                }
            });
            return;
        }
        final NettyLoop state = loops.get(channel.eventLoop());
        if (state == null) {
            context.policy().admission().release(remote.getAddress());
            throw new IllegalStateException("no loop state for " + channel.eventLoop());
        }
        state.register(channel, remote);
    }

    /** Netty's native transport reports a busy port as its own exception; the SPI asks for a BindException. */
    private static IOException bindFailure(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return (BindException) t;
            }
            final String message = String.valueOf(t.getMessage());
            if (message.endsWith("Address already in use")) {
                final BindException bind = new BindException("Address already in use");
                bind.initCause(cause);
                return bind;
            }
        }
        return cause instanceof IOException ? (IOException) cause : new IOException(cause);
    }

    /**
     * The pooled allocator's memory in use (the process's {@link PooledByteBufAllocator#DEFAULT}, shared by every Netty
     * user of this JVM); what waits for clients is {@code summoner_queued_bytes}.
     */
    @Override
    public List<EngineGauge> gauges() {
        final String name = "summoner_netty_allocator_used_bytes";
        final String help = "Memory in use by Netty's pooled allocator in this process, direct and heap.";
        return List.of(
                new EngineGauge(name, help, Map.of("memory", "direct"), () -> PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory()),
                new EngineGauge(name, help, Map.of("memory", "heap"), () -> PooledByteBufAllocator.DEFAULT.metric().usedHeapMemory()));
    }

    @Override
    public synchronized InetSocketAddress boundAddress() {
        if (boundAddress == null) {
            throw new IllegalStateException("not started");
        }
        return boundAddress;
    }

    /**
     * The first event loop takes every line from other nodes, in the order they come, into its batch as a line of no
     * local sender; the batch reaches the other loops as its own clients' lines do.
     */
    @Override
    public void relayFromCluster(byte[] envelope, int offset, int length, Route route) {
        final NettyLoop[] loops = loopStates;
        if (loops.length > 0) {
            loops[0].offerFromCluster(Arrays.copyOfRange(envelope, offset, offset + length), route);
        }
    }

    @Override
    public synchronized void stopAccepting() {
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly();
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
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly();
            final CountDownLatch done = new CountDownLatch(loops.size());
            for (NettyLoop state : loops.values()) {
                state.loop.execute(() -> state.shutdown(done));
            }
            try {
                if (!done.await(TimeUnit.NANOSECONDS.toMillis(Dispatcher.LINGER_NANOS) + JOIN_SLACK_MILLIS, TimeUnit.MILLISECONDS)) {
                    log.warn("clients still connected after the shutdown grace period; closing the event loops");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        shutDownGroups();
    }

    private void shutDownGroups() {
        if (workers != null) {
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(JOIN_SLACK_MILLIS);
        }
        if (boss != null) {
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(JOIN_SLACK_MILLIS);
        }
    }
}
