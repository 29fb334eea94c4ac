package org.summoner.relay.tck;

import org.junit.jupiter.api.AfterEach;
import org.summoner.relay.monitoring.RelayStats;
import org.summoner.relay.RunningServer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/** What the kit's fair-use sections share: healthy readers in the background, stalled clients, pushing until a counter moves. */
public abstract class FairUseHarness extends KitHarness {
    /** Big enough that a few dozen fill a stalled client's socket buffers; well under max_line_bytes. */
    static final int BIG_LINE = 32 * 1024;
    protected final ExecutorService readers = Executors.newCachedThreadPool();

    @AfterEach
    void stopReaders() {
        readers.shutdownNow();
    }

    /** Keeps reading a client's lines in the background, as a healthy client does, recording when each came. */
    protected List<Long> drainInBackground(KitClient client) {
        final List<Long> arrivals = Collections.synchronizedList(new ArrayList<>());
        readers.submit(() -> {
            while (true) {
                final String line = client.readLineOrEnd();
                if (line == null) {
                    return null;
                }
                if (line.endsWith("\"content\":\"mark\"}")) {
                    arrivals.add(System.nanoTime());
                }
            }
        });
        return arrivals;
    }

    /** A client that never reads, with a small receive buffer: what is sent to it backs up on the server. */
    protected KitClient stalled(RunningServer server) throws IOException {
        return connect(server.address(), 4096, null);
    }

    /** Sends big lines until the counters satisfy {@code condition}; fails if 2,000 lines do not get there. */
    protected void pushUntil(RunningServer server, KitClient sender, String what, Predicate<RelayStats> condition) throws Exception {
        final String line = "z".repeat(BIG_LINE) + "\n";
        for (int i = 0; i < 2_000; i++) {
            if (condition.test(server.stats())) {
                return;
            }
            sender.send(line);
            Thread.sleep(2);
        }
        awaitStats(server, what, condition);
    }

    protected Map<String, Object> parameters(Object... keysAndValues) {
        final Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("quarantine_cooldown_secs", 0);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            parameters.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return parameters;
    }

    protected Map<String, Object> policy(boolean throttle, int throttleAt, boolean flowControl, int flowAt, boolean disconnect, int disconnectAt) {
        return Map.of("enable_throttle", throttle, "throttle_threshold", throttleAt,
                "enable_flow_control", flowControl, "flow_control_threshold", flowAt,
                "enable_disconnect", disconnect, "disconnect_threshold", disconnectAt);
    }
}
