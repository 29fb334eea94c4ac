package org.summoner.relay.agrona;

import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.summoner.relay.core.SpanTable;

import java.nio.ByteBuffer;

/**
 * Writes a recipient's runs of a batch as one piece: one run straight from the ring's memory; several (routes to
 * single sessions, such as a host's directives, interleave) gathered first, so a recipient costs one write per
 * batch however its envelopes are spread.
 */
final class RunWriter implements SpanTable.Runs {
    private final IoAgent agent;
    private final ExpandableDirectByteBuffer gathered = new ExpandableDirectByteBuffer(FanOutAgent.BATCH_BYTES * 2);
    private ByteBuffer gatheredView = gathered.byteBuffer().duplicate();
    MutableDirectBuffer buffer;
    int payloadAt;
    AgronaConnection recipient;
    private int runs;
    private int firstStart;
    private int firstEnd;
    private int gatheredLength;
    private int messages;

    RunWriter(IoAgent agent) {
        this.agent = agent;
    }

    @Override
    public void run(int start, int end, int runMessages) {
        if (runs == 0) {
            firstStart = start;
            firstEnd = end;
        } else {
            if (runs == 1) {
                gathered.putBytes(0, buffer, payloadAt + firstStart, firstEnd - firstStart);
                gatheredLength = firstEnd - firstStart;
            }
            gathered.putBytes(gatheredLength, buffer, payloadAt + start, end - start);
            gatheredLength += end - start;
        }
        runs++;
        messages += runMessages;
    }

    /** Writes what the recipient's runs added up to, and starts again empty. */
    void finish() {
        if (runs > 0 && recipient.acceptsDeliveries()) {
            if (runs == 1) {
                agent.deliver(recipient, buffer, payloadAt + firstStart, firstEnd - firstStart, messages);
            } else {
                if (gatheredView.capacity() != gathered.capacity()) {
                    gatheredView = gathered.byteBuffer().duplicate(); // it grew
                }
                agent.deliver(recipient, gathered, gatheredView, 0, gatheredLength, messages);
            }
        }
        reset();
    }

    /** Starts again empty. */
    void reset() {
        runs = 0;
        gatheredLength = 0;
        messages = 0;
    }
}
