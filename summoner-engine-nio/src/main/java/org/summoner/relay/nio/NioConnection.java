package org.summoner.relay.nio;

import org.summoner.relay.selector.SelectorConnection;

import java.nio.channels.SocketChannel;

/**
 * One client of a {@link NioWorker}: its socket (through {@link SelectorConnection}) and the envelopes and notices
 * waiting to be written to it, by reference. Touched only by the owning worker's thread.
 */
final class NioConnection extends SelectorConnection {
    private final NioWorker worker;
    final OutboundQueue queue = new OutboundQueue();
    /** Whether it is on the worker's list of connections to write this turn. */
    boolean dirty;

    NioConnection(SocketChannel channel, NioWorker worker) {
        super(channel, worker);
        this.worker = worker;
    }

    @Override
    protected boolean hasQueued() {
        return !queue.isEmpty();
    }

    @Override
    protected long queuedMessages() {
        return queue.size();
    }

    @Override
    protected long queuedBytes() {
        return queue.bytes();
    }

    @Override
    protected void queueLine(byte[] line) {
        queue.add(line);
        worker.markDirty(this);
    }

    @Override
    protected long discardQueued() {
        return queue.clear();
    }
}
