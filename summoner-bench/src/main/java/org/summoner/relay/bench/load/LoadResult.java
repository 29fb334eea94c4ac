package org.summoner.relay.bench.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.Histogram;

/**
 * The outcome of one run, written as one JSON object per line. Throughput counts only the measurement window;
 * sent, expected, delivered, lost, gaps and reorders count the whole run, warm-up and drain included.
 *
 * @param expected      sent × receivers: what the receivers should have got.
 * @param lost          expected − delivered after the drain.
 * @param gaps          sequence numbers a receiver never saw before a later one arrived.
 * @param reorders      deliveries that arrived after a later one from the same sender.
 * @param disconnects   receivers the server closed during the run.
 * @param latencyMicros from the (intended, in open loop) send time to the read that returned the delivery.
 * @param sendLagMicros open loop only: how late the harness itself sent against the schedule.
 * @param serverCpuSeconds the server process's CPU time (user + system) in the measured window; null when not measured.
 */
public record LoadResult(
        String label,
        String scenario,
        String protocol,
        String host,
        int port,
        int senders,
        int receivers,
        int lineBytes,
        String mode,
        long rate,
        int window,
        int warmupSeconds,
        int durationSeconds,
        long sent,
        long expected,
        long delivered,
        long lost,
        long gaps,
        long reorders,
        long disconnects,
        long serverNotices,
        String firstServerNotice,
        double linesPerSecond,
        double deliveriesPerSecond,
        Latency latencyMicros,
        Latency sendLagMicros,
        Double serverCpuSeconds,
        String failure,
        String startedAt) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Percentiles of a histogram recorded in nanoseconds, in microseconds. */
    public record Latency(double p50, double p90, double p99, double p999, double max, double mean, long count) {
        static Latency of(Histogram nanos) {
            if (nanos == null || nanos.getTotalCount() == 0) {
                return new Latency(0, 0, 0, 0, 0, 0, 0);
            }
            return new Latency(
                    micros(nanos.getValueAtPercentile(50)),
                    micros(nanos.getValueAtPercentile(90)),
                    micros(nanos.getValueAtPercentile(99)),
                    micros(nanos.getValueAtPercentile(99.9)),
                    micros(nanos.getMaxValue()),
                    Math.round(nanos.getMean() / 10.0) / 100.0,
                    nanos.getTotalCount());
        }

        private static double micros(long nanos) {
            return Math.round(nanos / 10.0) / 100.0;
        }
    }

    /** @return the server's CPU seconds per million deliveries in the measured window, or null when not measured. */
    public Double serverCpuSecondsPerMillionDeliveries() {
        if (serverCpuSeconds == null || serverCpuSeconds.isNaN() || deliveriesPerSecond == 0) {
            return null;
        }
        return serverCpuSeconds / (deliveriesPerSecond * durationSeconds / 1e6);
    }

    /** @return whether every delivery arrived, once, in order, and no receiver was cut off. */
    public boolean clean() {
        return lost == 0 && gaps == 0 && reorders == 0 && disconnects == 0 && failure == null;
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static LoadResult fromJson(String line) throws JsonProcessingException {
        return JSON.readValue(line, LoadResult.class);
    }
}
