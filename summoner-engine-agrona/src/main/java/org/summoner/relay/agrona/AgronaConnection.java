package org.summoner.relay.agrona;

import org.summoner.relay.selector.SelectorConnection;

import java.nio.channels.SocketChannel;

/**
 * One client of an {@link IoAgent}: its socket (through {@link SelectorConnection}) and the bytes a full socket did
 * not take. Touched only by the owning agent's thread.
 */
final class AgronaConnection extends SelectorConnection {
    private final IoAgent agent;
    final ByteQueue queue = new ByteQueue();
    /** The sequence of the last outbound batch this client sent a line into. */
    long lastBatch = -1;

    AgronaConnection(SocketChannel channel, IoAgent agent) {
        super(channel, agent);
        this.agent = agent;
    }

    @Override
    protected boolean hasQueued() {
        return !queue.isEmpty();
    }

    @Override
    protected long queuedMessages() {
        return queue.messages();
    }

    @Override
    protected long queuedBytes() {
        return queue.bytes();
    }

    @Override
    protected void queueLine(byte[] line) {
        agent.writeLine(this, line);
    }

    @Override
    protected long discardQueued() {
        return queue.clear();
    }
}
