import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Probe3: a third fixed-rate latency probe for Summoner relays and redis-server, sharing no code with the Java
 * harness (summoner-load) or the C probe (bench/ceiling/probe.c). One publisher thread per sender, each on its own
 * schedule (sender s sends the global sequence numbers k with k % senders == s, at start + k / rate), so the senders
 * interleave evenly; every line carries its INTENDED send time, and latency is receipt minus intended time, so a late
 * publisher or a stalled server is charged in full (no coordinated omission). Receivers (and the senders' own
 * sockets, which must be drained: a Summoner sender gets the other senders' lines, a redis publisher its integer
 * replies) are spread over one or more selector threads. Every sample is kept; percentiles are exact.
 *
 * <p>Besides the percentiles it reports what the receivers' reads saw (deliveries per read with data), the mean
 * latency by receiver index in tenths (receivers connect in index order, so a server that writes to its clients in
 * connection order serves tenth 0 first), the publishers' send lag, the probe's own CPU and, with --server-pid, the
 * server's CPU over the measured window.
 *
 * <pre>
 *   java bench/probe3/Probe3.java --protocol summoner|redis --port P [--senders 4] [--receivers 100] [--rate 2000]
 *        [--warmup 5] [--duration 15] [--line-bytes 128] [--selectors 1] [--server-pid PID] [--label NAME]
 * </pre>
 * Prints one JSON object on stdout. Exit status 3 when a delivery was lost.
 */
public final class Probe3 {
    static final byte[] MARK = "P3|".getBytes(StandardCharsets.US_ASCII);
    // "P3|" ss "|" sssssssss "|" ttttttttttttttt "|": sender 2 digits, seq 9, intended nanos since epoch0 15
    static final int STAMP_LEN = 3 + 2 + 1 + 9 + 1 + 15 + 1;

    static String protocol = "summoner";
    static int port, senders = 4, receivers = 100, rate = 2000, warmupS = 5, durationS = 15, lineBytes = 128, selectors = 1;
    static long serverPid = -1;
    static String label = "";
    static long epoch0;
    static long measureFrom, measureTo; // intended-time window, nanos since epoch0

    public static void main(String[] args) throws Exception {
        for (int i = 0; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--protocol" -> protocol = v;
                case "--port" -> port = Integer.parseInt(v);
                case "--senders" -> senders = Integer.parseInt(v);
                case "--receivers" -> receivers = Integer.parseInt(v);
                case "--rate" -> rate = Integer.parseInt(v);
                case "--warmup" -> warmupS = Integer.parseInt(v);
                case "--duration" -> durationS = Integer.parseInt(v);
                case "--line-bytes" -> lineBytes = Integer.parseInt(v);
                case "--selectors" -> selectors = Integer.parseInt(v);
                case "--server-pid" -> serverPid = Long.parseLong(v);
                case "--label" -> label = v;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (!protocol.equals("summoner") && !protocol.equals("redis")) throw new IllegalArgumentException("protocol");
        if (lineBytes < STAMP_LEN) throw new IllegalArgumentException("line-bytes < " + STAMP_LEN);
        epoch0 = System.nanoTime();
        final long epoch0Ms = System.currentTimeMillis();
        boolean redis = protocol.equals("redis");

        // Connections: receivers first (index order = connection order), then senders.
        Conn[] recv = new Conn[receivers];
        Conn[] send = new Conn[senders];
        for (int i = 0; i < receivers; i++) recv[i] = new Conn(open(), i, true);
        for (int s = 0; s < senders; s++) send[s] = new Conn(open(), s, false);
        if (redis) { // subscribe, and wait for each confirmation before anything is published
            byte[] sub = "*2\r\n$9\r\nSUBSCRIBE\r\n$1\r\nt\r\n".getBytes(StandardCharsets.US_ASCII);
            for (Conn c : recv) writeFully(c.ch, ByteBuffer.wrap(sub));
            ByteBuffer b = ByteBuffer.allocate(256);
            for (Conn c : recv) {
                c.ch.configureBlocking(true);
                int seen = 0;
                while (seen < 4) { // "*3\r\n$9\r\nsubscribe\r\n$1\r\nt\r\n:1\r\n": wait for its last line
                    b.clear();
                    if (c.ch.read(b) < 0) throw new IOException("redis closed");
                    for (int k = 0; k < b.position(); k++) if (b.get(k) == ':') seen = 4;
                }
            }
        }
        Loop[] loops = new Loop[selectors];
        for (int i = 0; i < selectors; i++) loops[i] = new Loop(i);
        for (Conn c : recv) loops[c.index % selectors].add(c);
        for (Conn c : send) loops[c.index % selectors].add(c);
        Thread.sleep(500); // subscriptions (and, for Summoner, the server's sessions) settle
        for (Loop l : loops) l.start();

        long rateInterval = 1_000_000_000L / rate;
        long start = System.nanoTime() - epoch0 + 50_000_000L;
        measureFrom = start + warmupS * 1_000_000_000L;
        measureTo = measureFrom + durationS * 1_000_000_000L;
        long totalLines = (measureTo - start) / rateInterval;
        Publisher[] pubs = new Publisher[senders];
        CountDownLatch done = new CountDownLatch(senders);
        for (int s = 0; s < senders; s++) {
            pubs[s] = new Publisher(s, send[s], start, rateInterval, totalLines, redis, done);
            pubs[s].start();
        }
        long cpu0 = -1, srv0 = -1, wall0 = 0;
        // measure CPU over the measured window
        sleepUntil(measureFrom);
        cpu0 = processCpuNanos();
        srv0 = serverCpuTicks();
        java.util.Map<String, Long> threads0 = serverThreadTicks();
        long startEpochMs = System.currentTimeMillis();
        wall0 = System.nanoTime();
        done.await();
        long cpu1 = processCpuNanos(), srv1 = serverCpuTicks(), wall1 = System.nanoTime();
        java.util.Map<String, Long> threads1 = serverThreadTicks();
        long endEpochMs = System.currentTimeMillis();
        long expected = 0;
        for (Publisher p : pubs) expected += p.measuredSent * receivers;
        // drain: until everything measured has arrived, at most 3 s
        long drainEnd = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < drainEnd) {
            long got = 0;
            for (Loop l : loops) got += l.measured.get();
            if (got >= expected) break;
            Thread.sleep(10);
        }
        for (Loop l : loops) l.stopAndJoin();

        // merge
        int n = 0;
        for (Loop l : loops) n += l.nLat;
        long[] all = new long[n];
        int at = 0;
        for (Loop l : loops) { System.arraycopy(l.lat, 0, all, at, l.nLat); at += l.nLat; }
        Arrays.sort(all);
        long received = n;
        long[] lagAll = new long[0];
        for (Publisher p : pubs) {
            long[] c = Arrays.copyOf(p.lag, p.nLag);
            long[] m = Arrays.copyOf(lagAll, lagAll.length + c.length);
            System.arraycopy(c, 0, m, lagAll.length, c.length);
            lagAll = m;
        }
        Arrays.sort(lagAll);
        // by receiver tenth
        double[] tenthSum = new double[10];
        long[] tenthN = new long[10];
        long disorder = 0;
        for (Loop l : loops) disorder += l.disorder;
        long reads = 0, readsWithDeliveries = 0, deliveriesInReads = 0, maxPerRead = 0;
        long[] perReadHist = new long[6]; // 1,2,3,4,5-9,10+
        for (Loop l : loops) {
            for (Conn c : l.conns) {
                if (!c.receiver) continue;
                int t = (int) ((long) c.index * 10 / receivers);
                tenthSum[t] += c.latSum;
                tenthN[t] += c.latN;
            }
            reads += l.reads;
            readsWithDeliveries += l.readsWithDeliveries;
            deliveriesInReads += l.deliveriesInReads;
            maxPerRead = Math.max(maxPerRead, l.maxPerRead);
            for (int i = 0; i < 6; i++) perReadHist[i] += l.perReadHist[i];
        }
        StringBuilder j = new StringBuilder(512);
        j.append('{');
        kv(j, "label", label); kv(j, "protocol", protocol);
        kv(j, "senders", senders); kv(j, "receivers", receivers); kv(j, "rate", rate);
        kv(j, "lineBytes", lineBytes); kv(j, "selectors", selectors);
        kv(j, "warmupS", warmupS); kv(j, "durationS", durationS);
        kv(j, "expected", expected); kv(j, "received", received); kv(j, "lost", expected - received); kv(j, "disorder", disorder);
        kv(j, "p50", us(pct(all, 0.50))); kv(j, "p90", us(pct(all, 0.90))); kv(j, "p99", us(pct(all, 0.99)));
        kv(j, "p999", us(pct(all, 0.999))); kv(j, "max", us(pct(all, 1.0)));
        kv(j, "sendLagP50", us(pct(lagAll, 0.5))); kv(j, "sendLagP99", us(pct(lagAll, 0.99)));
        kv(j, "sendLagMax", us(pct(lagAll, 1.0)));
        kv(j, "deliveriesPerRead", readsWithDeliveries == 0 ? 0 : round2((double) deliveriesInReads / readsWithDeliveries));
        kv(j, "reads", reads); kv(j, "maxDeliveriesPerRead", maxPerRead);
        j.append("\"readsByDeliveries\":{\"1\":").append(perReadHist[0]).append(",\"2\":").append(perReadHist[1])
                .append(",\"3\":").append(perReadHist[2]).append(",\"4\":").append(perReadHist[3])
                .append(",\"5-9\":").append(perReadHist[4]).append(",\"10+\":").append(perReadHist[5]).append("},");
        // the 10-ms stretches (by intended send time) with the worst latency: when the server stalled, to match with its logs
        long[] worst = new long[durationS * 100 + 1];
        for (Loop l : loops) for (int b = 0; b < worst.length; b++) worst[b] = Math.max(worst[b], l.worstPerBucket[b]);
        Integer[] order = new Integer[worst.length];
        for (int b = 0; b < order.length; b++) order[b] = b;
        Arrays.sort(order, (a, b) -> Long.compare(worst[b], worst[a]));
        j.append("\"worst10msWindows\":[");
        for (int i = 0; i < Math.min(10, order.length); i++) {
            long fromMs = epoch0Ms + (measureFrom + order[i] * 10_000_000L) / 1_000_000L;
            j.append(i == 0 ? "" : ",").append("{\"epochMs\":").append(fromMs).append(",\"maxMs\":").append(us(worst[order[i]]) / 1000.0).append('}');
        }
        j.append("],");
        j.append("\"meanByReceiverTenth\":[");
        for (int t = 0; t < 10; t++) j.append(t == 0 ? "" : ",").append(tenthN[t] == 0 ? 0 : us((long) (tenthSum[t] / tenthN[t])));
        j.append("],");
        double wall = (wall1 - wall0) / 1e9;
        kv(j, "probeCpu", round2((cpu1 - cpu0) / 1e9 / wall));
        if (serverPid > 0) {
            kv(j, "serverCpu", round2((srv1 - srv0) / 100.0 / wall));
            j.append("\"serverThreadsCpu\":{");
            boolean first = true;
            for (var e : threads1.entrySet()) {
                long d = e.getValue() - threads0.getOrDefault(e.getKey(), 0L);
                if (d <= 0) continue;
                j.append(first ? "" : ",").append('"').append(e.getKey()).append("\":").append(round2(d / 100.0 / wall));
                first = false;
            }
            j.append("},");
        }
        kv(j, "measuredFromEpochMs", startEpochMs); kv(j, "measuredToEpochMs", endEpochMs);
        kv(j, "loadAvg", Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        j.setLength(j.length() - 1);
        j.append('}');
        System.out.println(j);
        System.exit(expected == received ? 0 : 3);
    }

    static SocketChannel open() throws IOException {
        SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        return ch;
    }

    static void writeFully(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.write(b) == 0) Thread.onSpinWait();
        }
    }

    static void sleepUntil(long tSinceEpoch) {
        long left;
        while ((left = tSinceEpoch - (System.nanoTime() - epoch0)) > 0) LockSupport.parkNanos(left);
    }

    static long pct(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.round((sorted.length - 1) * p)];
    }

    static double us(long nanos) { return Math.round(nanos / 100.0) / 10.0; }
    static double round2(double d) { return Math.round(d * 100) / 100.0; }

    static void kv(StringBuilder j, String k, Object v) {
        j.append('"').append(k).append("\":");
        if (v instanceof String s) j.append('"').append(s).append('"'); else j.append(v);
        j.append(',');
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** utime + stime of the server process, in clock ticks (100/s), or -1. */
    static long serverCpuTicks() {
        if (serverPid <= 0) return -1;
        try {
            String s = Files.readString(Path.of("/proc/" + serverPid + "/stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException e) {
            return -1;
        }
    }

    /** utime + stime per thread name of the server (threads of one name summed), in clock ticks. */
    static java.util.Map<String, Long> serverThreadTicks() {
        java.util.Map<String, Long> m = new java.util.TreeMap<>();
        if (serverPid <= 0) return m;
        try (var dir = Files.list(Path.of("/proc/" + serverPid + "/task"))) {
            for (Path t : (Iterable<Path>) dir::iterator) {
                try {
                    String s = Files.readString(t.resolve("stat"));
                    String name = s.substring(s.indexOf('(') + 1, s.lastIndexOf(')')).replaceAll("[0-9]+$", "").replace('"', '_');
                    String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
                    m.merge(name, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
                } catch (IOException gone) {
                    // the thread ended
                }
            }
        } catch (IOException e) {
            // no such process
        }
        return m;
    }

    /** One client connection. Its read state is touched by its loop's thread only. */
    static final class Conn {
        final SocketChannel ch;
        final int index;
        final boolean receiver;
        final byte[] carry = new byte[1 << 16];
        int carryLen;
        double latSum;
        long latN;
        final long[] lastSeq; // per sender, for order and gaps

        Conn(SocketChannel ch, int index, boolean receiver) {
            this.ch = ch;
            this.index = index;
            this.receiver = receiver;
            this.lastSeq = new long[senders];
            Arrays.fill(lastSeq, -1);
        }
    }

    /** A selector thread: reads its connections, keeps the samples of its receivers. */
    static final class Loop extends Thread {
        final Selector selector;
        final List<Conn> conns = new ArrayList<>();
        final ByteBuffer buf = ByteBuffer.allocateDirect(1 << 18);
        final byte[] heap = new byte[(1 << 18) + (1 << 16)]; // a full read after the carry
        long[] lat = new long[1 << 20];
        int nLat;
        final AtomicLong measured = new AtomicLong();
        final long[] worstPerBucket = new long[durationS * 100 + 1];
        volatile boolean running = true;
        long reads, readsWithDeliveries, deliveriesInReads, maxPerRead;
        final long[] perReadHist = new long[6];
        long disorder;

        Loop(int i) throws IOException {
            super("probe3-selector-" + i);
            selector = Selector.open();
        }

        void add(Conn c) throws IOException {
            c.ch.configureBlocking(false);
            c.ch.register(selector, SelectionKey.OP_READ, c);
            conns.add(c);
        }

        void stopAndJoin() throws InterruptedException {
            running = false;
            selector.wakeup();
            join();
        }

        @Override
        public void run() {
            try {
                while (running) {
                    selector.select(100);
                    Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                    while (it.hasNext()) {
                        SelectionKey k = it.next();
                        it.remove();
                        read((Conn) k.attachment());
                    }
                }
            } catch (Throwable e) {
                e.printStackTrace();
                System.exit(1);
            }
        }

        private void read(Conn c) throws IOException {
            buf.clear();
            int got = c.ch.read(buf);
            long now = System.nanoTime() - epoch0;
            if (got < 0) throw new IOException("server closed connection " + (c.receiver ? "receiver " : "sender ") + c.index);
            if (got == 0 || !c.receiver) return; // a sender's input (others' lines, redis replies) is drained, not counted
            reads++;
            buf.flip();
            byte[] h = heap;
            System.arraycopy(c.carry, 0, h, 0, c.carryLen);
            int total = c.carryLen + got;
            buf.get(h, c.carryLen, got);
            int found = 0, keepFrom = total;
            for (int i = 0; i + MARK.length <= total; ) {
                if (h[i] == 'P' && h[i + 1] == '3' && h[i + 2] == '|') {
                    if (i + STAMP_LEN > total) { keepFrom = i; break; }
                    int s = (int) digits(h, i + 3, 2);
                    long seq = digits(h, i + 6, 9);
                    long intended = digits(h, i + 16, 15);
                    if (seq <= c.lastSeq[s]) disorder++;
                    c.lastSeq[s] = seq;
                    if (intended >= measureFrom && intended < measureTo) {
                        long l = now - intended;
                        if (nLat == lat.length) lat = Arrays.copyOf(lat, lat.length * 2);
                        lat[nLat++] = l;
                        c.latSum += l;
                        int b = (int) ((intended - measureFrom) / 10_000_000L);
                        if (l > worstPerBucket[b]) worstPerBucket[b] = l;
                        c.latN++;
                        measured.lazySet(nLat);
                    }
                    found++;
                    i += STAMP_LEN;
                } else {
                    i++;
                }
            }
            if (keepFrom == total) { // keep a possible partial marker at the end
                keepFrom = Math.max(0, total - (MARK.length - 1));
                for (int i = keepFrom; i < total; i++) if (h[i] == 'P') { keepFrom = i; break; } else keepFrom = total;
            }
            c.carryLen = total - keepFrom;
            System.arraycopy(h, keepFrom, c.carry, 0, c.carryLen);
            if (found > 0) {
                readsWithDeliveries++;
                deliveriesInReads += found;
                maxPerRead = Math.max(maxPerRead, found);
                perReadHist[found >= 10 ? 5 : found >= 5 ? 4 : found - 1]++;
            }
        }

        private static long digits(byte[] h, int from, int n) {
            long v = 0;
            for (int i = from; i < from + n; i++) v = v * 10 + (h[i] - '0');
            return v;
        }

    }

    /** One sender's publisher thread: sends its share of the schedule, each line stamped with its intended time. */
    static final class Publisher extends Thread {
        final int s;
        final Conn conn;
        final long start, interval, totalLines;
        final boolean redis;
        final CountDownLatch done;
        long[] lag = new long[1 << 16];
        int nLag;
        long measuredSent;

        Publisher(int s, Conn conn, long start, long interval, long totalLines, boolean redis, CountDownLatch done) {
            super("probe3-publisher-" + s);
            this.s = s;
            this.conn = conn;
            this.start = start;
            this.interval = interval;
            this.totalLines = totalLines;
            this.redis = redis;
            this.done = done;
        }

        @Override
        public void run() {
            try {
                byte[] payload = new byte[lineBytes];
                Arrays.fill(payload, (byte) 'x');
                byte[] head = redis ? ("*3\r\n$7\r\nPUBLISH\r\n$1\r\nt\r\n$" + lineBytes + "\r\n").getBytes(StandardCharsets.US_ASCII) : new byte[0];
                byte[] tail = redis ? new byte[] {'\r', '\n'} : new byte[] {'\n'};
                ByteBuffer out = ByteBuffer.allocateDirect(head.length + lineBytes + tail.length);
                for (long k = s; k < totalLines; k += senders) {
                    long intended = start + k * interval;
                    sleepUntil(intended);
                    put(payload, 0, "P3|");
                    putDigits(payload, 3, 2, s);
                    payload[5] = '|';
                    putDigits(payload, 6, 9, k);
                    payload[15] = '|';
                    putDigits(payload, 16, 15, intended);
                    payload[31] = '|';
                    out.clear();
                    out.put(head).put(payload).put(tail).flip();
                    writeFully(conn.ch, out);
                    if (intended >= measureFrom && intended < measureTo) {
                        measuredSent++;
                        if (nLag == lag.length) lag = Arrays.copyOf(lag, lag.length * 2);
                        lag[nLag++] = System.nanoTime() - epoch0 - intended;
                    }
                }
            } catch (IOException e) {
                e.printStackTrace();
                System.exit(1);
            } finally {
                done.countDown();
            }
        }

        private static void put(byte[] b, int at, String s) {
            for (int i = 0; i < s.length(); i++) b[at + i] = (byte) s.charAt(i);
        }

        private static void putDigits(byte[] b, int at, int n, long v) {
            for (int i = at + n - 1; i >= at; i--) { b[i] = (byte) ('0' + v % 10); v /= 10; }
        }
    }

    static { Locale.setDefault(Locale.ROOT); }
}
