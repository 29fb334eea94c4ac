package org.summoner.relay.spi.serial;

/**
 * Told by a write that waits for room (the {@code stream} package's {@code WaitingChannel} and {@code TlsStream}) how
 * the socket takes what it is given: a write the socket does not take whole is a full socket, the one real signal of
 * a backlog. A {@link Client} is one.
 */
public interface SocketRoom {
    /** The socket did not take everything: what waits is a real backlog. Called before the writer waits. */
    void full();

    /** The socket has room again; the write goes on. */
    void room();
}
