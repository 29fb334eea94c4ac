package org.summoner.relay.core;

import java.util.Arrays;

/**
 * Who sent which bytes of a batch of envelopes, and along which route: the bookkeeping that lets an engine encode
 * every envelope once, back to back in one buffer, and still give each recipient exactly the envelopes it must get,
 * as few contiguous runs as possible (one write per run). Consecutive envelopes of one sender on one route share a
 * span.
 *
 * <p>A recipient gets a span unless it sent it or the span's route excludes it ({@link Route#includes(int, long,
 * Session)}); a recipient that sent nothing in a batch of broadcast spans gets the whole batch in one run, which
 * engines check first ({@link #wholeFor}).
 *
 * <p>Owned by one thread; not thread-safe. Grows to the largest batch seen, then allocates nothing.
 */
public final class SpanTable {
    /** Receives the runs meant for one recipient, in order: byte offsets in the batch and the envelopes in them. */
    @FunctionalInterface
    public interface Runs {
        void run(int start, int end, int messages);
    }

    private long[] senders;
    private int[] kinds;
    private long[] targets;
    private int[] ends;
    private int[] messages;
    private int count;
    private int totalMessages;
    private int notBroadcast;

    public SpanTable(int initialSpans) {
        senders = new long[initialSpans];
        kinds = new int[initialSpans];
        targets = new long[initialSpans];
        ends = new int[initialSpans];
        messages = new int[initialSpans];
    }

    /** One envelope of {@code sender} along {@code route} that ends at byte {@code end} of the batch. */
    public void add(long sender, Route route, int end) {
        addSpan(sender, route.kind(), route.target(), end, 1);
    }

    /**
     * A span ending at byte {@code end} holding {@code complete} whole envelopes (0 for the first part of an
     * envelope that a later span of the same sender completes, as a batch split across records carries it).
     */
    public void addSpan(long sender, int kind, long target, int end, int complete) {
        totalMessages += complete;
        if (count > 0 && senders[count - 1] == sender && kinds[count - 1] == kind && targets[count - 1] == target) {
            ends[count - 1] = end;
            messages[count - 1] += complete;
            return;
        }
        if (count == senders.length) {
            final int grown = count * 2;
            senders = Arrays.copyOf(senders, grown);
            kinds = Arrays.copyOf(kinds, grown);
            targets = Arrays.copyOf(targets, grown);
            ends = Arrays.copyOf(ends, grown);
            messages = Arrays.copyOf(messages, grown);
        }
        senders[count] = sender;
        kinds[count] = kind;
        targets[count] = target;
        ends[count] = end;
        messages[count] = complete;
        if (kind != Route.KIND_BROADCAST) {
            notBroadcast++;
        }
        count++;
    }

    /** @return an independent copy, e.g. to hand a sealed batch to another thread while this table is reused. */
    public SpanTable copy() {
        final SpanTable copy = new SpanTable(Math.max(1, count));
        for (int i = 0; i < count; i++) {
            copy.addSpan(senders[i], kinds[i], targets[i], ends[i], messages[i]);
        }
        return copy;
    }

    public void clear() {
        count = 0;
        totalMessages = 0;
        notBroadcast = 0;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    /** @return the spans. */
    public int count() {
        return count;
    }

    /** @return the whole envelopes in every span. */
    public int messages() {
        return totalMessages;
    }

    /** @return the byte where the batch ends. */
    public int end() {
        return count == 0 ? 0 : ends[count - 1];
    }

    /** @return whether every span is a broadcast. */
    public boolean allBroadcast() {
        return notBroadcast == 0;
    }

    /**
     * @return whether {@code recipient} gets the whole batch, every byte of it in one piece: every span is a broadcast,
     *         it sent none of them ({@code sentAny} false), and broadcasts reach it ({@link Route#getsBroadcast}).
     *         Otherwise its runs are {@link #forEachRun}.
     */
    public boolean wholeFor(Session recipient, boolean sentAny) {
        return notBroadcast == 0 && !sentAny && Route.getsBroadcast(recipient);
    }

    public long sender(int span) {
        return senders[span];
    }

    public int kind(int span) {
        return kinds[span];
    }

    public long target(int span) {
        return targets[span];
    }

    public int endOf(int span) {
        return ends[span];
    }

    public int messagesOf(int span) {
        return messages[span];
    }

    /**
     * Gives {@code runs} every maximal run of consecutive spans {@code recipient} gets, from {@code from} to
     * {@code to} (exclusive) of the spans.
     *
     * @return the whole envelopes given.
     */
    public int forEachRun(Session recipient, int from, int to, Runs runs) {
        final long self = recipient.id();
        int given = 0;
        int runStart = -1;
        int runEnd = 0;
        int runMessages = 0;
        for (int i = from; i < to; i++) {
            final int spanStart = i == 0 ? 0 : ends[i - 1];
            if (senders[i] == self || !Route.includes(kinds[i], targets[i], recipient)) {
                if (runStart >= 0) {
                    runs.run(runStart, runEnd, runMessages);
                    given += runMessages;
                    runStart = -1;
                    runMessages = 0;
                }
                continue;
            }
            if (runStart < 0) {
                runStart = spanStart;
            }
            runEnd = ends[i];
            runMessages += messages[i];
        }
        if (runStart >= 0) {
            runs.run(runStart, runEnd, runMessages);
            given += runMessages;
        }
        return given;
    }

    /** {@link #forEachRun(Session, int, int, Runs)} over every span. */
    public int forEachRun(Session recipient, Runs runs) {
        return forEachRun(recipient, 0, count, runs);
    }
}
