package org.summoner.relay.netty;

import org.junit.jupiter.api.Test;
import org.summoner.relay.config.ConfigException;
import org.summoner.relay.config.ServerConfig;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The "netty" section: its default, every transport, and errors that name the file, the key, the expected and the found. */
class NettySettingsTest {
    private static NettySettings read(String json) {
        return NettySettings.from(ServerConfig.fromJson(json.getBytes(StandardCharsets.UTF_8), "server_config.json"));
    }

    @Test
    void the_default_transport_is_auto() {
        assertEquals(new NettySettings("auto", List.of()), read("{}"));
    }

    @Test
    void every_transport_is_read() {
        for (String transport : List.of("auto", "epoll", "nio")) {
            assertEquals(transport, read("{\"netty\":{\"transport\":\"" + transport + "\"}}").transport());
        }
        assertEquals(List.of("server_config.json: unknown key \"netty.spare\" ignored"),
                read("{\"netty\":{\"spare\":1}}").warnings());
    }

    @Test
    void a_bad_transport_is_named() {
        assertEquals("server_config.json: key \"netty.transport\": expected one of auto, epoll, nio, found \"io_uring\"",
                assertThrows(ConfigException.class, () -> read("{\"netty\":{\"transport\":\"io_uring\"}}")).getMessage());
        assertEquals("server_config.json: key \"netty.transport\": expected a string, found 1",
                assertThrows(ConfigException.class, () -> read("{\"netty\":{\"transport\":1}}")).getMessage());
    }
}
