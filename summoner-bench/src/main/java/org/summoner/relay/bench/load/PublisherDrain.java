package org.summoner.relay.bench.load;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads what the server sends a publisher, so its socket never fills: other senders' lines (Summoner relays to
 * every client), {@code :<n>} replies (Redis), {@code PING} (NATS, answered). Nothing it reads is counted as a
 * delivery.
 */
final class PublisherDrain implements Runnable, PayloadSink {
    private final SocketChannel channel;
    private final InboundParser parser;
    private final AtomicLong notices = new AtomicLong();
    private volatile String firstNotice;

    PublisherDrain(SocketChannel channel, InboundParser parser) {
        this.channel = channel;
        this.parser = parser;
    }

    @Override
    public void run() {
        final ByteBuffer in = ByteBuffer.allocate(256 * 1024);
        final ByteBuffer reply = ByteBuffer.allocate(1024);
        try {
            while (channel.read(in) >= 0) {
                in.flip();
                InboundParser.parse(parser, in, this, reply);
                in.compact();
                if (!in.hasRemaining()) {
                    in.clear(); // a frame this large is not one of ours; skip it rather than stall the socket
                }
                if (reply.position() > 0) {
                    reply.flip();
                    while (reply.hasRemaining()) {
                        channel.write(reply); // the channel serialises this with the sender's writes
                    }
                    reply.clear();
                }
            }
        } catch (IOException e) {
            // closed at the end of the run, or by the server
        }
    }

    @Override
    public void onPayload(byte[] buffer, int offset, int length) {
        // Another publisher's message, relayed to this one too (Summoner): drained, not counted.
    }

    @Override
    public void onServerNotice(String text) {
        if (firstNotice == null) {
            firstNotice = text;
        }
        notices.incrementAndGet();
    }

    long notices() {
        return notices.get();
    }

    String firstNotice() {
        return firstNotice;
    }
}
