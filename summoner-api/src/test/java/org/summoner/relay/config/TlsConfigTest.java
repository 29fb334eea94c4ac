package org.summoner.relay.config;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tls}: the PEM files are read and checked with the config, and every error names the key and the file. */
class TlsConfigTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void copyPemFiles() throws IOException {
        for (String name : new String[] {"server.crt", "server.key", "ca.crt", "other.key", "rsa1.crt", "rsa1.key", "sec1.key", "enc.key"}) {
            try (InputStream in = TlsConfigTest.class.getResourceAsStream("tls/" + name)) {
                Files.copy(in, dir.resolve(name));
            }
        }
        Files.writeString(dir.resolve("notes.txt"), "not a certificate\n");
    }

    private static String path(String name) {
        return dir.resolve(name).toString().replace("\\", "\\\\");
    }

    private static ServerConfig tls(String cert, String key, String clientCa) {
        final String ca = clientCa == null ? "" : ", \"client_ca\": \"" + path(clientCa) + "\"";
        return ServerConfig.fromJson(("{\"tls\": {\"cert\": \"" + path(cert) + "\", \"key\": \"" + path(key) + "\"" + ca + "}}")
                .getBytes(StandardCharsets.UTF_8), "server_config.json");
    }

    private static String error(String cert, String key, String clientCa) {
        return assertThrows(ConfigException.class, () -> tls(cert, key, clientCa)).getMessage();
    }

    @Test
    void tls_is_off_by_default_and_with_null() {
        assertFalse(ServerConfig.defaults().tls().isPresent());
        assertFalse(ServerConfig.fromJson("{\"tls\": null}".getBytes(StandardCharsets.UTF_8), "x.json").tls().isPresent());
    }

    @Test
    void a_pkcs8_key_and_its_certificate_are_read_with_the_client_ca() {
        final TlsSettings settings = tls("server.crt", "server.key", "ca.crt").tls().orElseThrow();
        assertEquals("CN=localhost", settings.chain().get(0).getSubjectX500Principal().getName());
        assertEquals("EC", settings.privateKey().getAlgorithm());
        assertTrue(settings.clientCertificatesRequired());
        assertEquals("CN=Summoner kit CA", settings.clientIssuers().get(0).getSubjectX500Principal().getName());
    }

    @Test
    void a_pkcs1_rsa_key_is_read_too() {
        assertEquals("RSA", tls("rsa1.crt", "rsa1.key", null).tls().orElseThrow().privateKey().getAlgorithm());
    }

    @Test
    void a_missing_file_names_the_key_and_the_path() {
        assertEquals("server_config.json: key \"tls.cert\": expected a readable PEM file, found no file at " + dir.resolve("nope.crt"),
                error("nope.crt", "server.key", null));
        assertEquals("server_config.json: key \"tls.client_ca\": expected a readable PEM file, found no file at " + dir.resolve("nope.crt"),
                error("server.crt", "server.key", "nope.crt"));
    }

    @Test
    void a_file_without_the_expected_blocks_says_what_it_holds() {
        assertEquals("server_config.json: key \"tls.cert\": expected PEM \"CERTIFICATE\" blocks in " + dir.resolve("server.key")
                + ", found [\"PRIVATE KEY\"]", error("server.key", "server.key", null));
        assertEquals("server_config.json: key \"tls.key\": expected a PEM \"PRIVATE KEY\" or \"RSA PRIVATE KEY\" block in "
                + dir.resolve("notes.txt") + ", found no PEM block", error("server.crt", "notes.txt", null));
    }

    @Test
    void keys_it_cannot_use_say_how_to_convert_them() {
        assertEquals("server_config.json: key \"tls.key\": " + dir.resolve("sec1.key") + " holds an \"EC PRIVATE KEY\" (SEC 1); "
                + "convert it with: openssl pkcs8 -topk8 -nocrypt -in <file> -out <new file>", error("server.crt", "sec1.key", null));
        assertEquals("server_config.json: key \"tls.key\": " + dir.resolve("enc.key") + " holds an encrypted key; the relay reads "
                + "unencrypted keys only: openssl pkcs8 -topk8 -nocrypt -in <file> -out <new file>", error("server.crt", "enc.key", null));
    }

    @Test
    void a_key_that_does_not_match_the_certificate_is_an_error() {
        assertEquals("server_config.json: key \"tls.key\": the private key in " + dir.resolve("other.key")
                + " does not match the certificate in " + dir.resolve("server.crt"), error("server.crt", "other.key", null));
        assertEquals("server_config.json: key \"tls.key\": the private key in " + dir.resolve("rsa1.key")
                + " does not match the certificate in " + dir.resolve("server.crt"), error("server.crt", "rsa1.key", null));
    }

    @Test
    void cert_and_key_are_required_and_unknown_keys_are_warned_about() {
        assertEquals("server_config.json: key \"tls.key\": expected the path of a PEM file, found null",
                assertThrows(ConfigException.class, () -> ServerConfig.fromJson(("{\"tls\": {\"cert\": \"" + path("server.crt") + "\"}}")
                        .getBytes(StandardCharsets.UTF_8), "server_config.json")).getMessage());
        assertEquals("server_config.json: key \"tls.cert\": expected a string, found 5",
                assertThrows(ConfigException.class, () -> ServerConfig.fromJson("{\"tls\": {\"cert\": 5}}"
                        .getBytes(StandardCharsets.UTF_8), "server_config.json")).getMessage());
        final ServerConfig config = ServerConfig.fromJson(("{\"tls\": {\"cert\": \"" + path("server.crt") + "\", \"key\": \""
                + path("server.key") + "\", \"ciphers\": []}}").getBytes(StandardCharsets.UTF_8), "server_config.json");
        assertEquals(java.util.List.of("server_config.json: unknown key \"tls.ciphers\" ignored"), config.warnings());
    }

    @Test
    void tls_must_be_an_object() {
        assertEquals("server_config.json: key \"tls\": expected a JSON object, found \"yes\"",
                assertThrows(ConfigException.class, () -> ServerConfig.fromJson("{\"tls\": \"yes\"}"
                        .getBytes(StandardCharsets.UTF_8), "server_config.json")).getMessage());
    }
}
