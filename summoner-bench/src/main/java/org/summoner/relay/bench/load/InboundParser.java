package org.summoner.relay.bench.load;

import java.nio.ByteBuffer;

/**
 * Reads one protocol's server-to-client stream incrementally. Not thread-safe: one per connection.
 */
interface InboundParser {
    /**
     * Consumes every complete frame in {@code bytes[from, to)}.
     *
     * @param reply where protocol replies go (a NATS {@code PONG}); the caller writes what was added.
     * @return the index of the first byte of an unfinished frame ({@code to} when everything was consumed).
     */
    int parse(byte[] bytes, int from, int to, PayloadSink sink, ByteBuffer reply);

    /** Parses a heap buffer in read mode, leaving its position at the first unconsumed byte. */
    static void parse(InboundParser parser, ByteBuffer in, PayloadSink sink, ByteBuffer reply) {
        final int base = in.arrayOffset();
        final int next = parser.parse(in.array(), base + in.position(), base + in.limit(), sink, reply);
        in.position(next - base);
    }
}
