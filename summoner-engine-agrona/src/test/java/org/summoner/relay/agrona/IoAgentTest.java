package org.summoner.relay.agrona;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.summoner.relay.config.ServerConfig;
import org.summoner.relay.core.RelayCore;
import org.summoner.relay.counters.RelayCounters;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The I/O agent's side of a full lines ring: envelopes wait in its stash, it stops reading its sockets (each wait
 * counted), and once the fan-out agent makes room every line arrives, once and in order. Driven by hand on this thread over
 * a real loopback socket.
 */
class IoAgentTest {
    private static final int LINES = 3_000;

    @Test
    @Timeout(30)
    void a_full_lines_ring_stops_reading_and_loses_nothing() throws Exception {
        final ServerConfig config = ServerConfig.fromMap(Map.of("hyper_parameters", Map.of("rate_limit_msgs_per_minute", 1_000_000)));
        final RelayCore core = RelayCore.of(config);
        final RelayCounters counters = core.counters();
        final RingBuffer lines = new ManyToOneRingBuffer(ring(AgronaSettings.MIN_RING_BYTES));
        final RingBuffer outbound = new OneToOneRingBuffer(ring(AgronaSettings.MIN_RING_BYTES));
        final IoAgent agent = new IoAgent(0, core, lines, outbound, () -> { });

        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             SocketChannel client = SocketChannel.open(server.getLocalAddress())) {
            final SocketChannel accepted = server.accept();
            accepted.configureBlocking(false);
            agent.adopt(accepted, (InetSocketAddress) accepted.getRemoteAddress());

            final StringBuilder sent = new StringBuilder();
            for (int i = 0; i < LINES; i++) {
                sent.append("line ").append(i).append(' ').append("x".repeat(40)).append('\n');
            }
            final ByteBuffer bytes = ByteBuffer.wrap(sent.toString().getBytes(StandardCharsets.UTF_8));
            client.configureBlocking(false);

            final List<String> received = new ArrayList<>();
            final long deadline = System.nanoTime() + 20_000_000_000L;
            boolean filled = false;
            while (received.size() < LINES && System.nanoTime() < deadline) {
                client.write(bytes);
                agent.doWork();
                if (!filled && counters.handOffWaits() == 0) {
                    continue; // nobody reads the ring yet: let it fill
                }
                filled = true;
                lines.read((type, buffer, index, length) -> {
                    if (type == Records.ENVELOPE) {
                        final String envelope = buffer.getStringWithoutLengthUtf8(index + Records.ENVELOPE_HEADER_BYTES,
                                length - Records.ENVELOPE_HEADER_BYTES);
                        received.add(envelope.substring(envelope.indexOf("\"content\":\"") + 11, envelope.length() - 3));
                    }
                });
            }
            assertTrue(filled, "the ring filled");
            assertTrue(counters.handOffWaits() >= 1, "each wait for room is counted once");
            final List<String> expected = sent.toString().lines().toList();
            assertEquals(expected, received, "every line once, in order");
        } finally {
            agent.onClose();
        }
    }

    private static UnsafeBuffer ring(int capacity) {
        return new UnsafeBuffer(ByteBuffer.allocateDirect(AgronaSettings.allocation(capacity)));
    }
}
