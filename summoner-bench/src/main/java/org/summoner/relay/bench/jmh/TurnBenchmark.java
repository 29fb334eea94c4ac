package org.summoner.relay.bench.jmh;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.summoner.relay.config.ServerConfig;
import org.summoner.relay.core.Dispatcher;
import org.summoner.relay.core.OutboundBudget;
import org.summoner.relay.core.RelayCore;
import org.summoner.relay.core.Route;
import org.summoner.relay.core.Session;
import org.summoner.relay.core.SessionOutput;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One turn of the relay core without sockets: a 128-byte line read by a sender's {@link Session} (framed, rate
 * limited, routed, encoded into its envelope once), handed by a {@link Dispatcher} to {@code recipients} sessions
 * under the core's {@link OutboundBudget} (as the nio engine does: one shared copy of the envelope, a reference in
 * each recipient's queue), then every queue taken as written and the turn's counters published.
 *
 * <p>Run with {@code -prof gc}: {@code gc.alloc.rate.norm} is the bytes allocated per turn, which must not grow with
 * {@code recipients} (0 bytes per line per recipient); what is left is the one copy of the envelope per line.
 *
 * <pre>java -jar summoner-bench/target/benchmarks.jar TurnBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TurnBenchmark {
    @Param({"1", "10", "100"})
    public int recipients;

    private TurnDispatcher dispatcher;
    private Session sender;
    private byte[] line;

    @Setup
    public void setUp() {
        final RelayCore core = RelayCore.of(ServerConfig.fromMap(Map.of("hyper_parameters",
                Map.of("rate_limit_msgs_per_minute", Integer.MAX_VALUE))));
        dispatcher = new TurnDispatcher(core);
        sender = dispatcher.connect(40_000);
        for (int i = 1; i <= recipients; i++) {
            dispatcher.connect(40_000 + i);
        }
        line = ("x".repeat(128) + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    @Benchmark
    public long turn() {
        dispatcher.beginTurn();
        sender.onBytes(line, 0, line.length);
        return dispatcher.endTurn();
    }

    /** A recipient's queue of envelopes, references to the one copy every recipient shares. */
    static final class Queue implements SessionOutput {
        private byte[][] lines = new byte[16][];
        private int count;
        private long bytes;
        boolean dirty;

        void add(byte[] envelope) {
            if (count == lines.length) {
                lines = Arrays.copyOf(lines, count * 2);
            }
            lines[count++] = envelope;
            bytes += envelope.length;
        }

        /** @return the bytes a write of everything queued would send; the queue is then empty. */
        long takeAll() {
            final long written = bytes;
            Arrays.fill(lines, 0, count, null);
            count = 0;
            bytes = 0;
            return written;
        }

        @Override
        public void send(byte[] notice) {
            add(notice);
        }

        @Override
        public void goodbye(byte[] notice) {
            add(notice);
        }

        @Override
        public void close() {
            takeAll();
        }

        @Override
        public void reading(boolean read) {
            // broadcast lines only: no signature checks or rejections, so reads never stop
        }

        @Override
        public long backlogBytes() {
            return bytes;
        }
    }

    /** The nio engine's dispatch, without its sockets: one copy per line, a reference per recipient. */
    static final class TurnDispatcher extends Dispatcher {
        private final OutboundBudget budget;
        private final ArrayList<Queue> dirty = new ArrayList<>();

        TurnDispatcher(RelayCore core) {
            super(core);
            this.budget = core.budget();
        }

        Session connect(int port) {
            final Session session = open(new InetSocketAddress("127.0.0.1", port), new Queue());
            session.start();
            return session;
        }

        void beginTurn() {
            tick();
        }

        long endTurn() {
            long written = 0;
            for (int i = 0, n = dirty.size(); i < n; i++) {
                final Queue queue = dirty.get(i);
                queue.dirty = false;
                written += queue.takeAll();
            }
            dirty.clear();
            turnCounts().bytesSent(written);
            turnCounts().publish();
            return written;
        }

        @Override
        protected void wake() {
            // the benchmark's lines are not signed: nothing comes back from a verification pool
        }

        @Override
        protected void dispatch(Session from, byte[] envelope, int length, Route route) {
            final byte[] shared = Arrays.copyOf(envelope, length);
            for (int i = 0, n = sessionCount(); i < n; i++) {
                final Session recipient = session(i);
                if (recipient == from || !route.includes(recipient)) {
                    continue;
                }
                final Queue queue = (Queue) recipient.output();
                if (budget.mayQueue(recipient, queue.count, queue.bytes, length, 1, now())) {
                    queue.add(shared);
                    delivered(recipient, 1);
                    if (!queue.dirty) {
                        queue.dirty = true;
                        dirty.add(queue);
                    }
                }
            }
        }
    }
}
