package org.summoner.relay.aeron;

import org.summoner.relay.wire.Untrusted;
import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.exceptions.AeronException;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.summoner.relay.cluster.Backplane;
import org.summoner.relay.cluster.BackplaneContext;

import java.io.File;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * An Aeron publication per peer and one subscription on this node's endpoint, on UDP.
 *
 * <ul>
 *   <li>Out ({@link AeronPeers}): a frame for every node is written to each peer's publication, a frame for one node
 *       to that node's alone once its presence said which peer it is ({@link #address()}, {@link #nodeAt}); a peer that
 *       stopped answering (killed) holds its publication back for {@link #PEER_TIMEOUT_MILLIS} at most. Aeron repairs
 *       loss by NAK and keeps each publication's order.</li>
 *   <li>In: one poller thread ({@code summoner-cluster-aeron}) reads every peer's image, reassembles fragments, and
 *       hands each frame to the core, so each publisher's order is kept.</li>
 *   <li>Links: a peer that starts, stops or restarts comes and goes as an image of the subscription (logged); nothing
 *       is to be reconnected by hand. With no peer listening, {@link #publish} returns false (not connected).</li>
 *   <li>Back pressure, per peer: a full window is waited for at most {@link AeronPeers#OFFER_WAIT_NANOS}, then the
 *       frame is not sent (false: the core counts it), and for {@link AeronPeers#NO_WAIT_NANOS} after that frames to
 *       that peer that meet back pressure are not sent at once, so a stalled peer costs an engine thread 1 ms per 20
 *       ms, not 1 ms per frame. A frame longer than the publication's largest message is not sent either.</li>
 *   <li>Driver: {@code embedded} launches a media driver in this process, sharing one thread (the relay's cores
 *       are for its clients), in {@code <Aeron's default directory>-summoner-<node>} (under {@code /dev/shm} on
 *       Linux), deleted at start and at close; {@code external} connects to the operator's driver at
 *       {@code directory}. An external driver that stops ends the client for good (Aeron closes it): the node
 *       logs it, serves its own clients, and must be restarted to rejoin.</li>
 * </ul>
 */
final class AeronBackplane implements Backplane {
    private static final Logger log = LoggerFactory.getLogger(AeronBackplane.class);
    /** The stream of a relay cluster on its endpoints. */
    static final int STREAM_ID = 0x5E1A;
    /** Per publication: its largest message is an eighth, 512 KiB, room for a presence of ~10,000 identities. */
    private static final int TERM_LENGTH = 4 * 1024 * 1024;
    /**
     * What a peer may send ahead of this node's reading, and the socket buffer to hold it: Aeron's default, 128 KiB,
     * capped a busy stream early ({@code bench/cluster.sh --modes aeron --repeats 1 --duration 3 --warmup 1}: 333k
     * against 463k deliveries/s at max rate).
     */
    private static final int RECEIVER_WINDOW = 1024 * 1024;
    private static final int FRAGMENTS_PER_POLL = 64;
    private static final long MAX_PARK_MICROS = 100;
    /**
     * How long a peer that stopped answering (killed) holds the publication back before it no longer counts: the
     * publication's own flow-control timeout ({@code fc=min,t:}), so it holds with an external driver too.
     */
    private static final long PEER_TIMEOUT_MILLIS = 1000;
    /** How often the poller looks for peers that stopped answering ({@link AeronPeers#refresh}). */
    private static final long REFRESH_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * How long an embedded driver's publication stays connected without a word from its peer: the flow-control timeout,
     * so a peer that stopped answering has its stream renewed a second after (Aeron's default is 5 s).
     */
    private static final long CONNECTION_TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(PEER_TIMEOUT_MILLIS);
    /** What the Aeron client keeps mapped after close, for an engine thread still inside {@code offer}. */
    private static final long CLOSE_LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /** How recent a driver's heartbeat must be for its directory to be another live driver's. */
    private static final long DRIVER_ACTIVE_MILLIS = 2000;

    private final BackplaneContext context;
    private final AeronSettings settings;
    private final String directory;
    private MediaDriver driver;
    private Aeron aeron;
    private AeronPeers peers;
    private Subscription subscription;
    private Thread poller;
    private volatile boolean running;
    private boolean closed;

    AeronBackplane(BackplaneContext context) {
        this.context = context;
        this.settings = AeronSettings.read(context.section());
        this.directory = settings.embedded()
                ? CommonContext.getAeronDirectoryName() + "-summoner-" + context.node()
                : settings.directory();
    }

    @Override
    public synchronized void start() throws IOException {
        try {
            if (settings.embedded()) {
                launchDriver();
            } else if (!CommonContext.isDriverActive(new File(directory), TimeUnit.SECONDS.toMillis(2), message -> { })) {
                throw new IOException(error("directory", "the directory of a running media driver", "none running at " + directory));
            }
            aeron = Aeron.connect(new Aeron.Context()
                    .aeronDirectoryName(directory)
                    .closeLingerDurationNs(CLOSE_LINGER_NANOS)
                    .errorHandler(e -> log.warn("cluster: aeron: {}", Untrusted.text(e.toString())))
                    .availableImageHandler(this::peerUp)
                    .unavailableImageHandler(this::peerGone));
            peers = new AeronPeers(aeron, "aeron:udp?control-mode=manual|fc=min,t:" + PEER_TIMEOUT_MILLIS + "ms|linger=0|term-length="
                    + TERM_LENGTH + "|mtu=" + settings.mtu(), STREAM_ID, settings.peers());
            subscription = subscribe();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        running = true;
        poller = new Thread(this::poll, "summoner-cluster-aeron");
        poller.setDaemon(true);
        poller.start();
        log.info("cluster: aeron on {} to {} peer(s), driver {} at {}", settings.endpoint(), settings.peers().size(),
                settings.driver(), directory);
    }

    private void launchDriver() throws IOException {
        if (driverLives()) {
            throw new IOException(error("node", "a node name this machine runs once",
                    "a media driver already running at " + directory + " (is node \"" + context.node() + "\" started twice?)"));
        }
        driver = MediaDriver.launch(new MediaDriver.Context()
                .aeronDirectoryName(directory)
                .dirDeleteOnStart(true) // a node killed before left its files; a live one was ruled out above
                .dirDeleteOnShutdown(true)
                .warnIfDirectoryExists(false)
                .threadingMode(ThreadingMode.SHARED)
                .publicationConnectionTimeoutNs(CONNECTION_TIMEOUT_NANOS)
                .sharedIdleStrategy(idleStrategy())
                .termBufferSparseFile(true)
                .errorHandler(e -> log.warn("cluster: aeron media driver: {}", Untrusted.text(e.toString()))));
    }

    /**
     * How the driver's thread and the poller wait for work: a few spins and yields, then parks growing from 1 us to
     * 100 us (with Aeron's 1 ms, the p50 of a cross-node line at 5,000 lines/s was 1.5 ms; with 100 us, 0.8 ms, in the same
     * short runs). They share the machine with the relay's own threads, so
     * long spinning costs the clients; a long park costs every cross-node line up to that much, at each hop.
     */
    private static IdleStrategy idleStrategy() {
        return new BackoffIdleStrategy(10, 5, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(MAX_PARK_MICROS));
    }

    /**
     * @return whether a live media driver owns this node's directory: its heartbeat is younger than
     *         {@link #DRIVER_ACTIVE_MILLIS} and stays so for longer than that. The driver of a node that was killed
     *         (its files left behind) goes stale within that time, so a node restarted at once waits for it.
     */
    private boolean driverLives() throws IOException {
        final File dir = new File(directory);
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRIVER_ACTIVE_MILLIS + 500);
        while (CommonContext.isDriverActive(dir, DRIVER_ACTIVE_MILLIS, message -> { })) {
            if (System.nanoTime() - deadline > 0) {
                return true;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while checking " + directory, e);
            }
        }
        return false;
    }

    /** The subscription on this node's endpoint; a port it cannot bind stops start-up, naming the key. */
    private Subscription subscribe() throws IOException {
        try {
            return aeron.addSubscription("aeron:udp?endpoint=" + settings.endpoint() + "|rcv-wnd=" + RECEIVER_WINDOW + "|so-rcvbuf=" + RECEIVER_WINDOW, STREAM_ID);
        } catch (AeronException e) {
            throw new IOException(error("endpoint", "a UDP address this machine can listen on",
                    settings.endpoint() + " (" + e.getMessage() + ")"), e);
        }
    }

    private String error(String key, String expected, String found) {
        return context.settings().source() + ": key \"cluster." + (key.equals("node") ? "" : "aeron.") + key
                + "\": expected " + expected + ", found " + found;
    }

    private void peerUp(Image image) {
        log.info("cluster: aeron stream from {} is up", Untrusted.text(image.sourceIdentity()));
    }

    private void peerGone(Image image) {
        if (running) {
            log.warn("cluster: aeron stream from {} is gone", Untrusted.text(image.sourceIdentity()));
        }
    }

    /** The poller: every peer's frames, whole and in order, to the core; and the peers' streams renewed when gone. */
    private void poll() {
        final Receiving receiving = new Receiving(context.receiver());
        final FragmentAssembler assembler = new FragmentAssembler(receiving);
        final IdleStrategy idle = idleStrategy();
        long nextRefresh = System.nanoTime();
        while (running) {
            try {
                idle.idle(subscription.poll(assembler, FRAGMENTS_PER_POLL));
                if (System.nanoTime() - nextRefresh >= 0) {
                    nextRefresh = System.nanoTime() + REFRESH_NANOS;
                    peers.refresh();
                }
            } catch (RuntimeException e) {
                if (running) {
                    log.warn("cluster: aeron poll failed: {}", e.toString());
                }
            }
        }
    }

    /** Copies a reassembled frame out of the log buffer for the receiver, which takes arrays. */
    private static final class Receiving implements FragmentHandler {
        private final Receiver receiver;
        private byte[] frame = new byte[64 * 1024];

        Receiving(Receiver receiver) {
            this.receiver = receiver;
        }

        @Override
        public void onFragment(DirectBuffer buffer, int offset, int length, Header header) {
            if (frame.length < length) {
                frame = new byte[Math.max(length, frame.length * 2)];
            }
            buffer.getBytes(offset, frame, 0, length);
            receiver.onFrame(frame, 0, length);
        }
    }

    /** To node {@code node}'s peer when it is known, else to every peer ({@link AeronPeers}). */
    @Override
    public boolean publish(String node, byte[] frame, int offset, int length) {
        final AeronPeers peers = this.peers;
        return running && peers != null && peers.publish(node, frame, offset, length);
    }

    /** @return this node's endpoint, as its presence tells the other nodes. */
    @Override
    public String address() {
        return settings.endpoint().toString();
    }

    @Override
    public void nodeAt(String node, String address) {
        final AeronPeers peers = this.peers;
        if (peers != null) {
            peers.nodeAt(node, address);
        }
    }

    @Override
    public int maxFrameBytes() {
        final AeronPeers peers = this.peers;
        return peers == null ? TERM_LENGTH / 8 : peers.maxMessageLength();
    }

    @Override
    public String describe() {
        return "aeron udp " + settings.endpoint() + " peers " + settings.peers().size() + " driver " + settings.driver()
                + (settings.mtu() == AeronSettings.DEFAULT_MTU ? "" : " mtu " + settings.mtu());
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        running = false;
        if (poller != null) {
            try {
                poller.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        CloseHelper.quietCloseAll(subscription, peers, aeron, driver);
    }
}
