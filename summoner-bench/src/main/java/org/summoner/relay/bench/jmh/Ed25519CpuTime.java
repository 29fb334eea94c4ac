package org.summoner.relay.bench.jmh;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@link Ed25519Benchmark}'s candidates again, measured in verifications per second of this thread's CPU time rather
 * than of wall time, the candidates taking turns in short slices: on a machine that other work keeps busy, wall-clock
 * throughput says as much about the neighbours as about the code, while CPU time per verification stays what one
 * core would do alone (cache and memory contention still count). Not JMH: warm-up is 20 rounds of 100 ms each, then
 * {@code rounds} rounds of {@code sliceMillis} of CPU per candidate; the spread is the lowest and highest round.
 *
 * <p>{@code taskset -c 1 java -cp summoner-bench/target/benchmarks.jar org.summoner.relay.bench.jmh.Ed25519CpuTime [rounds] [sliceMillis]}
 */
public final class Ed25519CpuTime {
    private Ed25519CpuTime() {
    }

    public static void main(String[] args) throws Exception {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        final long sliceNanos = (args.length > 1 ? Long.parseLong(args[1]) : 300) * 1_000_000L;
        final Ed25519Benchmark bench = new Ed25519Benchmark();
        bench.sign();
        final Map<String, BooleanSupplier> candidates = new LinkedHashMap<>();
        candidates.put("sunEcAsTheRelayCallsIt", () -> call(bench::sunEcAsTheRelayCallsIt));
        candidates.put("sunEcKeyAndSignatureKept", () -> call(bench::sunEcKeyAndSignatureKept));
        candidates.put("bouncyCastleRawKey", bench::bouncyCastleRawKey);
        candidates.put("bouncyCastlePointKept", bench::bouncyCastlePointKept);
        if (LibSodium.missing() == null) {
            final Ed25519Benchmark.SystemSodium system = new Ed25519Benchmark.SystemSodium();
            system.load();
            candidates.put("libsodiumSystemJna", () -> bench.libsodiumSystemJna(system));
        } else {
            System.out.println("skipped libsodiumSystemJna: " + LibSodium.missing());
        }
        final Ed25519Benchmark.BundledSodium bundled = new Ed25519Benchmark.BundledSodium();
        bundled.load();
        candidates.put("lazysodiumBundled", () -> bench.lazysodiumBundled(bundled));

        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long valid = 0;
        for (int round = 0; round < 20; round++) {
            for (BooleanSupplier candidate : candidates.values()) {
                valid += slice(threads, candidate, 100_000_000L)[0];
            }
        }
        final Map<String, double[]> rates = new LinkedHashMap<>();
        candidates.keySet().forEach(name -> rates.put(name, new double[rounds]));
        long cpu = 0;
        final long wallStart = System.nanoTime();
        for (int round = 0; round < rounds; round++) {
            for (Map.Entry<String, BooleanSupplier> candidate : candidates.entrySet()) {
                final long[] opsAndNanos = slice(threads, candidate.getValue(), sliceNanos);
                valid += opsAndNanos[0];
                cpu += opsAndNanos[1];
                rates.get(candidate.getKey())[round] = opsAndNanos[0] * 1e9 / opsAndNanos[1];
            }
        }
        final double cpuShare = cpu / (double) (System.nanoTime() - wallStart);
        System.out.printf("%-26s %12s %10s %10s%n", "candidate", "per CPU-s", "min", "max");
        for (Map.Entry<String, double[]> entry : rates.entrySet()) {
            double sum = 0;
            double min = Double.MAX_VALUE;
            double max = 0;
            for (double rate : entry.getValue()) {
                sum += rate;
                min = Math.min(min, rate);
                max = Math.max(max, rate);
            }
            System.out.printf("%-26s %12.0f %10.0f %10.0f%n", entry.getKey(), sum / rounds, min, max);
        }
        System.out.printf("(this thread had %.0f%% of a core's wall time; %d valid)%n", 100 * cpuShare, valid);
    }

    private interface Call {
        boolean run() throws Exception;
    }

    private static boolean call(Call call) {
        try {
            return call.run();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return {verifications that were valid, CPU nanoseconds taken} for at least {@code nanos} of CPU. */
    private static long[] slice(ThreadMXBean threads, BooleanSupplier candidate, long nanos) {
        final long start = threads.getCurrentThreadCpuTime();
        long ops = 0;
        long valid = 0;
        long now;
        do {
            for (int i = 0; i < 16; i++) {
                valid += candidate.getAsBoolean() ? 1 : 0;
            }
            ops += 16;
            now = threads.getCurrentThreadCpuTime();
        } while (now - start < nanos);
        if (valid != ops) {
            throw new IllegalStateException("a valid signature was refused");
        }
        return new long[]{ops, now - start};
    }
}
