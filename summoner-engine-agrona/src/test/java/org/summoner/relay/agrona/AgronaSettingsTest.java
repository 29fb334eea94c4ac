package org.summoner.relay.agrona;

import org.junit.jupiter.api.Test;
import org.summoner.relay.config.ConfigException;
import org.summoner.relay.config.ServerConfig;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The "agrona" section: defaults, every key, and errors that name the file, the key, the expected and the found. */
class AgronaSettingsTest {
    private static AgronaSettings read(String json) {
        return AgronaSettings.from(ServerConfig.fromJson(json.getBytes(StandardCharsets.UTF_8), "server_config.json"));
    }

    private static String error(String json) {
        return assertThrows(ConfigException.class, () -> read(json)).getMessage();
    }

    @Test
    void defaults_follow_worker_threads_and_leave_cpu_to_others() {
        final AgronaSettings settings = read("{\"hyper_parameters\":{\"worker_threads\":3},\"agrona\":{\"threading\":\"dedicated\"}}");
        assertEquals(new AgronaSettings("sleeping", "dedicated", 3, 1 << 20, 1 << 20, List.of()), settings);
    }

    @Test
    void threads_are_shared_by_default_only_on_one_processor() {
        assertEquals("shared", AgronaSettings.defaultThreading(1));
        assertEquals("dedicated", AgronaSettings.defaultThreading(2));
        assertEquals(AgronaSettings.defaultThreading(Runtime.getRuntime().availableProcessors()), read("{}").threading());
    }

    @Test
    void shared_threading_runs_one_io_agent() {
        final AgronaSettings settings = read("{\"hyper_parameters\":{\"worker_threads\":3},\"agrona\":{\"threading\":\"shared\"}}");
        assertEquals(new AgronaSettings("sleeping", "shared", 1, 1 << 20, 1 << 20, List.of()), settings);
        assertEquals("server_config.json: key \"agrona.io_threads\": expected 1 with \"threading\": \"shared\", found 2",
                error("{\"agrona\":{\"threading\":\"shared\",\"io_threads\":2}}"));
        assertEquals("server_config.json: key \"agrona.threading\": expected one of dedicated, shared, found \"single\"",
                error("{\"agrona\":{\"threading\":\"single\"}}"));
    }

    @Test
    void every_key_is_read() {
        final AgronaSettings settings = read("{\"agrona\":{\"idle_strategy\":\"busy-spin\",\"threading\":\"dedicated\",\"io_threads\":2,"
                + "\"lines_ring_bytes\":65536,\"outbound_ring_bytes\":4194304,\"spare\":true}}");
        assertEquals(new AgronaSettings("busy-spin", "dedicated", 2, 65536, 4194304,
                List.of("server_config.json: unknown key \"agrona.spare\" ignored")), settings);
    }

    @Test
    void bad_values_are_named() {
        assertEquals("server_config.json: key \"agrona.idle_strategy\": expected one of backoff, sleeping, yielding, "
                + "busy-spin, found \"spin\"", error("{\"agrona\":{\"idle_strategy\":\"spin\"}}"));
        assertEquals("server_config.json: key \"agrona.lines_ring_bytes\": expected a power of two from 65536 to "
                + "1073741824, found 100000", error("{\"agrona\":{\"lines_ring_bytes\":100000}}"));
        assertEquals("server_config.json: key \"agrona.outbound_ring_bytes\": expected an integer from 65536 to "
                + "1073741824, found 1024", error("{\"agrona\":{\"outbound_ring_bytes\":1024}}"));
        assertEquals("server_config.json: key \"agrona.io_threads\": expected an integer from 1 to 1024, found 0",
                error("{\"agrona\":{\"io_threads\":0}}"));
    }
}
