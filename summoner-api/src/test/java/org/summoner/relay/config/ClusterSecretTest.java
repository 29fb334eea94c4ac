package org.summoner.relay.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code cluster.secret_file}: checked when the config is read, never shown. */
class ClusterSecretTest {
    @TempDir
    Path dir;

    private Path secret(int bytes, String permissions) throws Exception {
        final Path file = dir.resolve("cluster-" + bytes + "-" + permissions + ".secret");
        final byte[] content = new byte[bytes];
        Arrays.fill(content, (byte) 7);
        Files.write(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        return file;
    }

    private static ServerConfig config(Path secret) {
        final String json = "{\"cluster\": {\"backplane\": \"nats\", \"node\": \"a\"" + (secret == null ? "" : ", \"secret_file\": \""
                + secret + "\"") + "}}";
        return ServerConfig.fromJson(json.getBytes(StandardCharsets.UTF_8), "server_config.json");
    }

    private static String error(Path secret) {
        return assertThrows(ConfigException.class, () -> config(secret)).getMessage();
    }

    @Test
    void a_secret_of_32_bytes_only_its_owner_reads_is_taken_and_never_shown() throws Exception {
        final Path file = secret(32, "rw-------");
        final ClusterSettings cluster = config(file).cluster().orElseThrow();
        assertArrayEquals(Files.readAllBytes(file), cluster.secret().bytes());
        assertEquals("ClusterSecret{" + file + ", 32 bytes}", cluster.secret().toString());
        assertTrue(config(file).warnings().isEmpty(), "secret_file is a key of cluster");
        assertNull(config(null).cluster().orElseThrow().secret(), "without it frames are not authenticated");
        config(secret(64, "r--------")); // read-only for its owner is as good
    }

    @Test
    void a_missing_short_or_shared_secret_stops_start_up_naming_the_file_and_what_to_do() throws Exception {
        final String expected = "server_config.json: key \"cluster.secret_file\": expected a file of at least 32 random bytes "
                + "that only its owner may read, found ";
        final Path missing = dir.resolve("none.secret");
        assertEquals(expected + "no file at " + missing, error(missing));
        final Path shortOne = secret(31, "rw-------");
        assertEquals(expected + shortOne + " of 31 bytes", error(shortOne));
        final Path shared = secret(32, "rw-r--r--");
        assertEquals(expected + shared + " with permissions rw-r--r-- (run: chmod 600 " + shared + ")", error(shared));
        final Path groupWritable = secret(32, "rw--w----");
        assertEquals(expected + groupWritable + " with permissions rw--w---- (run: chmod 600 " + groupWritable + ")",
                error(groupWritable));
        assertEquals("server_config.json: key \"cluster.secret_file\": expected a string, found 5",
                assertThrows(ConfigException.class, () -> ServerConfig.fromJson(
                        "{\"cluster\": {\"backplane\": \"nats\", \"node\": \"a\", \"secret_file\": 5}}".getBytes(StandardCharsets.UTF_8),
                        "server_config.json")).getMessage());
    }
}
