package org.summoner.relay.nats;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.summoner.relay.config.ConfigException;
import org.summoner.relay.config.ConfigSection;
import org.summoner.relay.config.ServerConfig;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * {@code cluster.nats.tls} with PEM files made by the test ({@link TestPki}): what turns TLS on, what is read, and the
 * exact error for each wrong file, naming the file and the key.
 */
class NatsTlsSettingsTest {
    @TempDir
    Path dir;
    private TestPki pki;

    @BeforeEach
    void certificates() throws Exception {
        pki = new TestPki(dir);
        pki.ca("ca");
        pki.client("node", "ca");
        pki.client("other", "ca");
        Files.setPosixFilePermissions(pki.key("node"), PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(pki.key("other"), PosixFilePermissions.fromString("rw-------"));
    }

    private static ConfigSection section(String nats) {
        return ServerConfig.fromJson(("{\"cluster\": {\"backplane\": \"nats\", \"node\": \"a\", \"nats\": " + nats + "}}")
                .getBytes(StandardCharsets.UTF_8), "server_config.json").cluster().orElseThrow().section();
    }

    private static String tls(String... keysAndFiles) {
        final StringBuilder json = new StringBuilder("{\"tls\": {");
        for (int i = 0; i < keysAndFiles.length; i += 2) {
            json.append(i == 0 ? "" : ", ").append('"').append(keysAndFiles[i]).append("\": \"").append(keysAndFiles[i + 1]).append('"');
        }
        return json.append("}}").toString();
    }

    private String error(String nats) {
        return assertThrows(ConfigException.class, () -> NatsSettings.read(section(nats))).getMessage().replace(dir + "/", "");
    }

    @Test
    void plaintextUnlessATlsSectionOrATlsUrl() {
        assertNull(NatsSettings.read(section("{}")).tls());
        assertEquals(NatsTls.DEFAULT, NatsSettings.read(section("{\"servers\": [\"nats://n1:4222\", \"tls://n2:4222\"]}")).tls());
        assertEquals(NatsTls.DEFAULT, NatsSettings.read(section("{\"tls\": {}}")).tls(), "an empty section: TLS with the JVM's CAs");
        assertEquals("tls (CA the JVM's, no client certificate)", NatsTls.DEFAULT.toString());
    }

    @Test
    void aCaACertificateAndItsKeyAreReadAndOnlyTheirFilesAreShown() throws Exception {
        final ConfigSection section = section(tls("ca", pki.cert("ca").toString(), "cert", pki.cert("node").toString(), "key", pki.key("node").toString()));
        final NatsTls tls = NatsSettings.read(section).tls();
        assertEquals(1, tls.authorities().size());
        assertEquals(1, tls.chain().size());
        assertEquals("tls (CA " + pki.cert("ca") + ", certificate " + pki.cert("node") + ")", tls.toString());
        final String key = Files.readString(pki.key("node"));
        final String body = key.substring(key.indexOf('\n') + 1, key.indexOf('\n') + 30);
        assertFalse(NatsSettings.read(section(tls("ca", pki.cert("ca").toString(), "cert", pki.cert("node").toString(), "key",
                pki.key("node").toString()))).toString().contains(body), "the key's PEM is never shown");
        assertEquals(List.of(), section.warnings());
        tls.context(); // the JDK builds a context from it
    }

    @Test
    void aCaFileThatIsNotPemStopsStartUp() throws Exception {
        Files.writeString(dir.resolve("ca.txt"), "not a certificate\n");
        assertEquals("server_config.json: key \"cluster.nats.tls.ca\": expected PEM \"CERTIFICATE\" blocks in ca.txt, found no PEM block",
                error(tls("ca", dir.resolve("ca.txt").toString())));
        assertEquals("server_config.json: key \"cluster.nats.tls.ca\": expected PEM \"CERTIFICATE\" blocks in node.key, found [\"PRIVATE KEY\"]",
                error(tls("ca", pki.key("node").toString())));
    }

    @Test
    void aKeyThatIsNotTheCertificatesStopsStartUp() {
        assertEquals("server_config.json: key \"cluster.nats.tls.key\": the private key in other.key does not match the certificate in node.crt",
                error(tls("cert", pki.cert("node").toString(), "key", pki.key("other").toString())));
        assertEquals("server_config.json: key \"cluster.nats.tls.key\": expected a PEM \"PRIVATE KEY\" or \"RSA PRIVATE KEY\" block in node.crt,"
                + " found [\"CERTIFICATE\"]", error(tls("cert", pki.cert("node").toString(), "key", pki.cert("node").toString())));
    }

    @Test
    void aKeyThatIsADirectoryOrUnreadableStopsStartUp() throws Exception {
        assertEquals("server_config.json: key \"cluster.nats.tls.key\": expected a readable PEM file, found no file at " + dir,
                error(tls("cert", pki.cert("node").toString(), "key", dir.toString())));
        assumeFalse("root".equals(System.getProperty("user.name")), "root reads a file of mode 000");
        Files.setPosixFilePermissions(pki.key("node"), PosixFilePermissions.fromString("---------"));
        assertEquals("server_config.json: key \"cluster.nats.tls.key\": expected a readable PEM file, cannot read node.key: node.key",
                error(tls("cert", pki.cert("node").toString(), "key", pki.key("node").toString())));
    }

    @Test
    void aKeyEveryUserMayReadIsAWarning() throws Exception {
        Files.setPosixFilePermissions(pki.key("node"), PosixFilePermissions.fromString("rw-r--r--"));
        final ConfigSection section = section(tls("cert", pki.cert("node").toString(), "key", pki.key("node").toString()));
        NatsSettings.read(section);
        assertEquals(List.of("server_config.json: key \"cluster.nats.tls.key\" names " + pki.key("node") + ", a private key every user"
                + " of this machine may read (run: chmod 600 " + pki.key("node") + ")"), section.warnings());
    }

    @Test
    void aKeyTheTlsSectionDoesNotKnowIsAWarning() {
        final ConfigSection section = section("{\"tls\": {\"ca_file\": \"x\"}}");
        NatsSettings.read(section);
        assertEquals(List.of("server_config.json: unknown key \"cluster.nats.tls.ca_file\" ignored"), section.warnings());
    }
}
