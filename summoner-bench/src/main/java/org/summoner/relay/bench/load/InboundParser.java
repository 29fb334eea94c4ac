package org.summoner.relay.bench.load;

import java.nio.ByteBuffer;

/**
 * Reads one protocol's server-to-client stream incrementally. Not thread-safe: one per connection.
 */
interface InboundParser {
    /**
     * Consumes every complete frame between {@code in}'s position and limit, leaving the position at the first
     * byte of an unfinished frame.
     *
     * @param in    a heap buffer in read mode.
     * @param reply where protocol replies go (a NATS {@code PONG}); the caller writes what was added.
     */
    void parse(ByteBuffer in, PayloadSink sink, ByteBuffer reply);
}
