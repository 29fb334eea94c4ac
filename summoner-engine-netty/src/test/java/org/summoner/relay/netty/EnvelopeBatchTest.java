package org.summoner.relay.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.summoner.relay.config.ServerConfig;
import org.summoner.relay.core.Dispatcher;
import org.summoner.relay.core.RelayCore;
import org.summoner.relay.core.Route;
import org.summoner.relay.core.Session;
import org.summoner.relay.core.SessionOutput;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A batch of envelopes shared by recipients as retained slices: exact bytes, a sender's own lines left out of what it
 * gets, a routed envelope only where its route goes, no copy, every reference returned (paranoid leak detection).
 */
@ExtendWith(LeakWatch.class)
class EnvelopeBatchTest {
    private static final String A = "127.0.0.1:1";
    private static final String B = "[::1]:2";
    private static final String C = "127.0.0.3:3";

    /** Sessions without sockets, one per name. */
    private final Dispatcher dispatcher = new Dispatcher(RelayCore.of(ServerConfig.defaults())) {
        @Override
        protected void dispatch(Session sender, byte[] envelope, int length, Route route) {
        }

        @Override
        protected void wake() {
        }
    };
    private final Map<String, Session> sessions = new HashMap<>();
    private final EnvelopeBatch batch = new EnvelopeBatch(PooledByteBufAllocator.DEFAULT);
    private final List<String> written = new ArrayList<>();
    private final List<Integer> counts = new ArrayList<>();
    private final EnvelopeBatch.Sink<String> sink = (recipient, slice, messages) -> {
        try {
            written.add(recipient + " <- " + slice.toString(StandardCharsets.UTF_8));
            counts.add(messages);
        } finally {
            slice.release();
        }
    };

    private Session session(String name) {
        return sessions.computeIfAbsent(name, n -> {
            final int colon = n.lastIndexOf(':');
            try {
                final Session session = dispatcher.open(new InetSocketAddress(InetAddress.getByName(n.substring(0, colon).replace("[", "").replace("]", "")),
                        Integer.parseInt(n.substring(colon + 1))), new SessionOutput() {
                    @Override
                    public void send(byte[] line) {
                    }

                    @Override
                    public void goodbye(byte[] line) {
                    }

                    @Override
                    public void close() {
                    }

                    @Override
                    public void reading(boolean read) {
                    }

                    @Override
                    public long backlogBytes() {
                        return 0;
                    }
                });
                session.start(); // relayed lines reach a session once it started
                return session;
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException(e);
            }
        });
    }

    private void append(String sender, String line) {
        append(sender, line, Route.BROADCAST);
    }

    private void append(String sender, String line, Route route) {
        final byte[] bytes = envelope(sender, line).getBytes(StandardCharsets.UTF_8);
        batch.append(session(sender).id(), route, bytes, bytes.length);
    }

    private void writeTo(String recipient, boolean sentInto) {
        batch.writeTo(session(recipient), recipient, sentInto, sink);
    }

    private static String envelope(String sender, String content) {
        return "{\"remote_addr\":\"" + sender + "\",\"content\":\"" + content + "\"}\n";
    }

    @Test
    void every_envelope_is_copied_once_into_one_direct_buffer() {
        append(A, "say hi 😀");
        append(B, "two");
        assertEquals(2, batch.messages());
        final ByteBuf taken = batch.take();
        try {
            assertTrue(taken.isDirect());
            assertEquals(envelope(A, "say hi 😀") + envelope(B, "two"), taken.toString(StandardCharsets.UTF_8));
            assertTrue(batch.isEmpty());
            assertNull(batch.take(), "an empty batch has no buffer");
        } finally {
            taken.release();
        }
    }

    @Test
    void a_recipient_that_sent_nothing_gets_the_whole_batch_in_one_slice() {
        append(A, "1");
        append(B, "2");
        append(A, "3");
        writeTo(C, false);
        batch.take().release();
        assertEquals(List.of(C + " <- " + envelope(A, "1") + envelope(B, "2") + envelope(A, "3")), written);
        assertEquals(List.of(3), counts);
    }

    @Test
    void a_sender_gets_the_runs_others_sent_and_never_its_own_lines() {
        append(A, "1");
        append(A, "2");
        append(B, "3");
        append(B, "4");
        append(A, "5");
        append(C, "6");
        append(B, "7");
        writeTo(A, true);
        writeTo(B, true);
        batch.take().release();
        assertEquals(List.of(
                A + " <- " + envelope(B, "3") + envelope(B, "4"),
                A + " <- " + envelope(C, "6") + envelope(B, "7"),
                B + " <- " + envelope(A, "1") + envelope(A, "2"),
                B + " <- " + envelope(A, "5") + envelope(C, "6")), written);
        assertEquals(List.of(2, 2, 2, 2), counts);
    }

    @Test
    void a_batch_of_one_sender_gives_that_sender_nothing() {
        append(A, "alone");
        writeTo(A, true);
        batch.take().release();
        assertEquals(List.of(), written);
    }

    @Test
    void an_envelope_routed_to_one_session_reaches_it_alone() {
        append(A, "1");
        append(A, "for b", session(B).route());
        append(A, "3");
        writeTo(B, false);
        writeTo(C, false);
        batch.take().release();
        assertEquals(List.of(
                B + " <- " + envelope(A, "1") + envelope(A, "for b") + envelope(A, "3"),
                C + " <- " + envelope(A, "1"),
                C + " <- " + envelope(A, "3")), written);
        assertEquals(List.of(3, 1, 1), counts);
    }

    @Test
    void recipients_share_the_memory_and_the_last_release_frees_it() {
        append(B, "to all");
        final EmbeddedChannel[] recipients = {new EmbeddedChannel(), new EmbeddedChannel(), new EmbeddedChannel()};
        for (EmbeddedChannel recipient : recipients) {
            batch.writeTo(session(C), recipient, false, (channel, slice, messages) -> channel.writeOutbound(slice));
        }
        final ByteBuf buffer = batch.take();
        buffer.release(); // the loop's reference; the recipients hold theirs
        assertEquals(3, buffer.refCnt());
        for (EmbeddedChannel recipient : recipients) {
            final ByteBuf slice = recipient.readOutbound();
            assertEquals(envelope(B, "to all"), slice.toString(StandardCharsets.UTF_8));
            assertEquals(buffer.memoryAddress(), slice.memoryAddress(), "the same memory, not a copy");
            slice.release();
            recipient.finish();
        }
        assertEquals(0, buffer.refCnt());
    }

    @Test
    void the_buffer_grows_past_its_first_capacity_and_stays_within_twice_what_it_holds() {
        final String line = "x".repeat(100);
        for (int i = 0; i < 1_000; i++) {
            append(A, line);
        }
        final ByteBuf taken = batch.take();
        try {
            final int one = envelope(A, line).length();
            assertEquals(1_000 * one, taken.readableBytes());
            assertTrue(taken.capacity() <= 2 * taken.readableBytes(), "capacity " + taken.capacity());
        } finally {
            taken.release();
        }
    }
}
