package org.summoner.relay.monitoring;

import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One connection of the {@link HttpListener}: its socket and key, the bytes of the request head being read, the
 * response being written, and the one deadline that applies in its state. Touched by the listener's thread only,
 * except {@link #rendered}, which a render thread sets before it queues the connection back to the listener (the
 * queue orders the two).
 */
final class HttpConnection {
    /** What it is doing; each state has one deadline, except {@link #RENDERING}, whose work is the server's own. */
    enum State {
        /** Reading a request head: idle (no byte of it yet) or under the head deadline. */
        READING_HEAD,
        /** A render thread builds the response; nothing is read meanwhile. */
        RENDERING,
        /** Writing a response, under the write deadline; nothing is read meanwhile. */
        WRITING,
        /** Output done and shut down; input read and discarded until the client closes or the linger deadline. */
        LINGERING
    }

    final SocketChannel channel;
    final String remote;
    final byte[] input;
    final ByteBuffer inputBuffer;
    final HeadScanner scanner = new HeadScanner();
    SelectionKey key;
    int interestOps;
    State state = State.READING_HEAD;
    boolean open = true;
    /** Counted among the listener's active connections: accepted under the bound and not yet lingering. */
    boolean countedActive;
    /** Whether a byte of the next request arrived (the head deadline runs) or not (the idle deadline runs). */
    boolean requestStarted;
    long deadlineNanos;
    long idleSinceNanos;
    /** Responses written whole on it. */
    int served;
    HttpRequest request;
    ByteBuffer[] output;
    boolean closeAfterWrite;
    /** Set by a render thread, read by the listener's after it takes this connection from its queue. */
    HttpResponse rendered;

    /** @param maxHeadBytes the input buffer: a head that does not fit is refused; 0 for a refused connection. */
    HttpConnection(SocketChannel channel, String remote, int maxHeadBytes) {
        this.channel = channel;
        this.remote = remote;
        this.input = new byte[maxHeadBytes];
        this.inputBuffer = ByteBuffer.wrap(input);
    }

    /** @return the bytes read and not yet consumed by a request, from index 0. */
    int inputLength() {
        return inputBuffer.position();
    }

    /** Drops the first {@code consumed} bytes of the input (a request's head); what follows moves to index 0. */
    void consume(int consumed) {
        final int remaining = inputBuffer.position() - consumed;
        System.arraycopy(input, consumed, input, 0, remaining);
        inputBuffer.position(remaining);
        scanner.reset();
    }

    /** @return whether the input is full: a head that has not ended by now is too large. */
    boolean inputFull() {
        return !inputBuffer.hasRemaining();
    }
}
