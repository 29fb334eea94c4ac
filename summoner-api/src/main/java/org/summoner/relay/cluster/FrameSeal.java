package org.summoner.relay.cluster;

import org.summoner.relay.counters.RelayCounters.FrameRejection;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticated frames ({@code cluster.secret_file}): every frame a node sends carries its incarnation, the stream it
 * was sent on (one per sending thread) with that stream's sequence number, and the time it was sent, and ends with an HMAC-SHA-256 (the JDK's) over all of it, keyed by the
 * secret every node of the cluster holds. A node checks each frame it receives before reading anything else of it:
 *
 * <ul>
 *   <li><b>the MAC</b>, in constant time: without the secret nothing can be made that passes ({@code bad_mac});</li>
 *   <li><b>the time</b>, within {@link #MAX_SKEW_MILLIS} of its own clock: a frame captured and sent again later is
 *       {@code stale};</li>
 *   <li><b>the sequence</b>, per origin node, stream and incarnation, against a window of the last {@link #WINDOW}
 *       numbers (as IPsec's anti-replay, RFC 4303 3.4.3): a number seen before, or older than the window, is
 *       {@code replayed}; one within the window and not seen is accepted. A stream is one thread's, and a backplane
 *       keeps each publisher's order, so a thread held off the CPU between sealing and publishing never makes another
 *       thread's frames look old;</li>
 *   <li><b>the incarnation</b> (the sender's start time): frames of an earlier incarnation of a node than the one it
 *       speaks with now are {@code replayed}; a later one starts a new window. An earlier one is taken again once the
 *       current has been silent for {@link #MAX_SKEW_MILLIS} (a node restarted on a clock set back).</li>
 * </ul>
 *
 * <p>{@link #seal} is called by any thread (each keeps a {@link Mac} of its own); {@link #check} by the backplane's one
 * receiving thread.
 */
final class FrameSeal {
    /** The MAC's bytes at the end of a sealed frame. */
    static final int MAC_BYTES = 32;
    /** Incarnation, stream, sequence and send time, after the destination. */
    static final int STAMP_BYTES = 28;
    /** How far a frame's send time may be from this node's clock; also how long a silent incarnation is remembered. */
    static final long MAX_SKEW_MILLIS = TimeUnit.SECONDS.toMillis(60);
    /** The most streams (sending threads) one node may use: more are refused, as replays. */
    static final int MAX_STREAMS = 1024;
    /** Sequence numbers remembered per stream, below its highest. */
    static final int WINDOW = 1024;
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;
    private final String node;
    private final long incarnation;
    private final AtomicInteger streams = new AtomicInteger();
    private final ThreadLocal<Sender> senders;
    /** The receiving thread's. */
    private final Mac receiver;
    private final byte[] expected = new byte[MAC_BYTES];
    /**
     * One window per node name that ever sent an authentic frame (only holders of the secret make one), kept after the
     * node leaves: forgetting it would make that incarnation's last minute of frames, its BYE among them, new again.
     */
    private final Map<StreamKey, Window> windows = new HashMap<>();

    /** One sending thread's: its MAC, its stream and that stream's last sequence number. */
    private static final class Sender {
        final Mac mac;
        final int stream;
        long sequence;

        Sender(Mac mac, int stream) {
            this.mac = mac;
            this.stream = stream;
        }
    }

    /** Whose sequence numbers a window holds. */
    private record StreamKey(String origin, int stream) {
    }

    /**
     * @param secret      the bytes of {@code cluster.secret_file}, at least 32.
     * @param node        this node's name.
     * @param incarnation this node's start time, in milliseconds since the epoch: its frames' incarnation.
     */
    FrameSeal(byte[] secret, String node, long incarnation) {
        this.key = new SecretKeySpec(secret, ALGORITHM);
        this.node = node;
        this.incarnation = incarnation;
        this.senders = ThreadLocal.withInitial(() -> new Sender(newMac(), streams.getAndIncrement()));
        this.receiver = newMac();
    }

    private Mac newMac() {
        try {
            final Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no " + ALGORITHM + ": " + e, e);
        }
    }

    /**
     * Writes this node's incarnation, the calling thread's stream and its next sequence number, and the time, at
     * {@code buffer[at..]}; the same thread seals the frame next ({@link #seal}).
     *
     * @return the index after.
     */
    int stamp(byte[] buffer, int at) {
        final Sender sender = senders.get();
        writeLong(buffer, at, incarnation);
        writeInt(buffer, at + 8, sender.stream);
        writeLong(buffer, at + 12, ++sender.sequence);
        writeLong(buffer, at + 20, System.currentTimeMillis());
        return at + STAMP_BYTES;
    }

    /** Appends the MAC of {@code buffer[0, length)}. @return the sealed frame's length. */
    int seal(byte[] buffer, int length) {
        final Mac mac = senders.get().mac;
        mac.update(buffer, 0, length);
        try {
            mac.doFinal(buffer, length);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sealing a cluster frame: " + e, e);
        }
        return length + MAC_BYTES;
    }

    /**
     * Checks a sealed frame, {@code frame[offset, end)} with its MAC in the last {@link #MAC_BYTES}, whose origin and
     * stamp {@code header} holds; on the backplane's receiving thread.
     *
     * @return null when it is authentic, fresh and new; else why it is refused.
     */
    FrameRejection check(byte[] frame, int offset, int end, ClusterFrames.Header header, long nowMillis) {
        final int macAt = end - MAC_BYTES;
        receiver.update(frame, offset, macAt - offset);
        try {
            receiver.doFinal(expected, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("checking a cluster frame: " + e, e);
        }
        int difference = 0;
        for (int i = 0; i < MAC_BYTES; i++) {
            difference |= expected[i] ^ frame[macAt + i]; // every byte, whatever the first difference
        }
        if (difference != 0) {
            return FrameRejection.BAD_MAC;
        }
        if (Math.abs(nowMillis - header.sentAtMillis) > MAX_SKEW_MILLIS) {
            return FrameRejection.STALE;
        }
        if (node.equals(header.origin) && header.incarnation == incarnation) {
            return FrameRejection.REPLAYED; // a node never hears its own frames: this is a copy (a twin has another incarnation)
        }
        if (header.stream < 0 || header.stream >= MAX_STREAMS) {
            return FrameRejection.REPLAYED;
        }
        final Window window = windows.computeIfAbsent(new StreamKey(header.origin, header.stream), key -> new Window());
        return window.accept(header.incarnation, header.sequence, nowMillis) ? null : FrameRejection.REPLAYED;
    }

    /**
     * The sequence numbers seen of one stream of a node's current incarnation: the highest, and a bitmap of the
     * {@link #WINDOW} below.
     */
    static final class Window {
        private long incarnation = Long.MIN_VALUE;
        private long highest;
        private final long[] seen = new long[WINDOW / 64];
        private long lastHeardMillis;

        /** @return whether {@code sequence} of {@code frameIncarnation} is new; if so it is remembered. */
        boolean accept(long frameIncarnation, long sequence, long nowMillis) {
            if (sequence <= 0) {
                return false;
            }
            if (frameIncarnation != incarnation) {
                final boolean later = incarnation == Long.MIN_VALUE || frameIncarnation > incarnation;
                final boolean currentSilent = nowMillis - lastHeardMillis > MAX_SKEW_MILLIS;
                if (!later && !currentSilent) {
                    return false; // an earlier incarnation while the current one speaks: a replay
                }
                incarnation = frameIncarnation;
                highest = 0;
                Arrays.fill(seen, 0);
            }
            if (sequence > highest) {
                final long shift = sequence - highest;
                if (shift >= WINDOW) {
                    Arrays.fill(seen, 0);
                } else {
                    shiftUp((int) shift);
                }
                highest = sequence;
                mark(0);
            } else {
                final long behind = highest - sequence;
                if (behind >= WINDOW || isMarked((int) behind)) {
                    return false;
                }
                mark((int) behind);
            }
            lastHeardMillis = nowMillis;
            return true;
        }

        /** Bit {@code i} stands for {@code highest - i}. */
        private void mark(int i) {
            seen[i >>> 6] |= 1L << (i & 63);
        }

        private boolean isMarked(int i) {
            return (seen[i >>> 6] & (1L << (i & 63))) != 0;
        }

        /** The highest moves up by {@code shift} (less than the window): every bit moves {@code shift} places up. */
        private void shiftUp(int shift) {
            final int words = shift >>> 6;
            final int bits = shift & 63;
            for (int w = seen.length - 1; w >= 0; w--) {
                final int from = w - words;
                long value = from >= 0 ? seen[from] << bits : 0;
                if (bits != 0 && from - 1 >= 0) {
                    value |= seen[from - 1] >>> (64 - bits);
                }
                seen[w] = value;
            }
        }
    }

    private static void writeInt(byte[] buffer, int at, int value) {
        buffer[at] = (byte) (value >>> 24);
        buffer[at + 1] = (byte) (value >>> 16);
        buffer[at + 2] = (byte) (value >>> 8);
        buffer[at + 3] = (byte) value;
    }

    private static void writeLong(byte[] buffer, int at, long value) {
        for (int i = 7; i >= 0; i--) {
            buffer[at + i] = (byte) value;
            value >>>= 8;
        }
    }
}
