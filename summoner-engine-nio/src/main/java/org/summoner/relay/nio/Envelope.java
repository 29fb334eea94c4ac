package org.summoner.relay.nio;

/**
 * One encoded envelope (or notice line), shared by reference among every recipient queue that holds it, on any
 * worker. Immutable once built; safely published to other workers through {@link Inbox}.
 */
final class Envelope {
    final byte[] bytes;
    /** The connection it came from, which must not get it back; null for notices. */
    final NioConnection sender;

    Envelope(byte[] bytes, NioConnection sender) {
        this.bytes = bytes;
        this.sender = sender;
    }
}
