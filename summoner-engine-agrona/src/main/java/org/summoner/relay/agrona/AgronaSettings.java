package org.summoner.relay.agrona;

import org.agrona.BitUtil;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.summoner.relay.config.ConfigSection;
import org.summoner.relay.config.ServerConfig;

import java.util.List;

/**
 * The {@code "agrona"} section of {@code server_config.json}:
 *
 * <pre>
 * "agrona": {
 *   "idle_strategy": "sleeping",      // sleeping | backoff | yielding | busy-spin
 *   "threading": "dedicated",         // dedicated | shared; default shared when the JVM has one processor
 *   "io_threads": 1,                  // socket I/O agents; default hyper_parameters.worker_threads, 1 if shared
 *   "lines_ring_bytes": 1048576,      // I/O agents to the fan-out agent (a power of two)
 *   "outbound_ring_bytes": 1048576    // the fan-out agent to each I/O agent (a power of two)
 * }
 * </pre>
 *
 * Ring sizes are data bytes (Agrona adds its trailer) and must be powers of two of at least 64 KiB; a line or a
 * batch larger than an eighth of a ring (Agrona's largest message) travels in several records.
 *
 * @param idleStrategy      what an agent with nothing to do does: see {@link IdleStrategies}.
 * @param threading         {@code dedicated}: every agent on its own thread; {@code shared}: the one I/O agent and
 *                          the fan-out agent take turns on one thread (as Aeron's {@code SHARED} threading mode), so
 *                          a line crosses no thread and wakes nothing up.
 * @param ioThreads         socket I/O agents, each with its own selector and clients.
 * @param linesRingBytes    capacity of the many-to-one ring of lines.
 * @param outboundRingBytes capacity of each one-to-one ring of envelope batches.
 * @param warnings          unknown keys of the section, logged when the engine starts.
 */
record AgronaSettings(String idleStrategy, String threading, int ioThreads, int linesRingBytes, int outboundRingBytes, List<String> warnings) {
    static final String SECTION = "agrona";
    static final int MIN_RING_BYTES = 64 * 1024;
    static final int MAX_RING_BYTES = 1 << 30;
    static final int DEFAULT_RING_BYTES = 1 << 20;
    static final String DEDICATED = "dedicated";
    static final String SHARED = "shared";

    /** The default threading: a thread per agent only when there is more than one processor to run them. */
    static String defaultThreading(int processors) {
        return processors < 2 ? SHARED : DEDICATED;
    }

    static AgronaSettings from(ServerConfig config) {
        final ConfigSection section = config.section(SECTION);
        final String idle = section.string("idle_strategy", IdleStrategies.SLEEPING);
        if (!IdleStrategies.NAMES.contains(idle)) {
            throw section.invalid("idle_strategy", "one of " + String.join(", ", IdleStrategies.NAMES));
        }
        final String threading = section.string("threading", defaultThreading(Runtime.getRuntime().availableProcessors()));
        if (!threading.equals(DEDICATED) && !threading.equals(SHARED)) {
            throw section.invalid("threading", "one of " + DEDICATED + ", " + SHARED);
        }
        final boolean shared = threading.equals(SHARED);
        final int ioThreads = (int) section.integer("io_threads", shared ? 1 : config.hyperParameters().workerThreads(), 1, 1024);
        if (shared && ioThreads != 1) {
            throw section.invalid("io_threads", "1 with \"threading\": \"shared\"");
        }
        final int lines = ringBytes(section, "lines_ring_bytes");
        final int outbound = ringBytes(section, "outbound_ring_bytes");
        section.warnUnknown();
        return new AgronaSettings(idle, threading, ioThreads, lines, outbound, List.copyOf(section.warnings()));
    }

    private static int ringBytes(ConfigSection section, String key) {
        final long bytes = section.integer(key, DEFAULT_RING_BYTES, MIN_RING_BYTES, MAX_RING_BYTES);
        if (!BitUtil.isPowerOfTwo(bytes)) {
            throw section.invalid(key, "a power of two from " + MIN_RING_BYTES + " to " + MAX_RING_BYTES);
        }
        return (int) bytes;
    }

    boolean shared() {
        return threading.equals(SHARED);
    }

    /** @return bytes to allocate for a ring of {@code capacity} data bytes. */
    static int allocation(int capacity) {
        return capacity + RingBufferDescriptor.TRAILER_LENGTH;
    }
}
