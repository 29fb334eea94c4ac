package org.summoner.relay.nats;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.summoner.relay.RunningServer;
import org.summoner.relay.tck.KitClient;
import org.summoner.relay.tck.NatsServers;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nodes on a {@code nats-server} that speaks TLS ({@code --tls}, and {@code --tlsverify} for client certificates),
 * with certificates made by the test ({@link TestPki}): {@code cluster.nats.tls} lets a node on the bus when it trusts
 * the server's CA (and, with {@code verify}, presents a certificate the server's CA signed); otherwise the node is kept
 * off the bus, serves its own clients, and says why at WARN.
 */
class NatsTlsTest extends SecuredNatsHarness {
    @TempDir
    Path dir;
    private TestPki pki;

    @BeforeEach
    void certificates() throws Exception {
        pki = new TestPki(dir);
        pki.ca("nats-ca");
        pki.server("nats", "nats-ca", "IP:127.0.0.1", 1);
        pki.ca("other-ca");
    }

    /** A NATS server with TLS required, its certificate {@code name}, and {@code more} arguments. */
    private NatsServers tlsNats(String name, String... more) throws Exception {
        final List<String> args = new ArrayList<>(List.of("--tls", "--tlscert", pki.cert(name).toString(), "--tlskey", pki.key(name).toString()));
        args.addAll(List.of(more));
        return new NatsServers(1, true, args.toArray(String[]::new));
    }

    private static List<String> tlsUrl(NatsServers nats) {
        return List.of(nats.url(0).replace("nats://", "tls://"));
    }

    @Test
    void aNodeThatTrustsTheCaOfNatsRelaysOverTlsAndOneThatTrustsAnotherCaIsRefused() throws Exception {
        try (NatsServers nats = tlsNats("nats"); BackplaneLogs logs = new BackplaneLogs()) {
            relaysAndRefuses(nats, Map.of("servers", tlsUrl(nats), "tls", Map.of("ca", pki.cert("nats-ca").toString())),
                    Map.of("servers", tlsUrl(nats), "tls", Map.of("ca", pki.cert("other-ca").toString())));
            await("the refusal logged", () -> logs.has("WARN cluster: TLS to NATS failed: PKIX path building failed"), () -> String.join("\n", logs.lines()));
        }
    }

    @Test
    void withClientCertificatesRequiredANodeWithOneRelaysAndOneWithoutOrWithAnotherCasIsRefused() throws Exception {
        pki.ca("clients-ca");
        pki.client("node", "clients-ca");
        pki.client("stranger", "other-ca");
        try (NatsServers nats = tlsNats("nats", "--tlsverify", "--tlscacert", pki.cert("clients-ca").toString());
             BackplaneLogs logs = new BackplaneLogs()) {
            final String ca = pki.cert("nats-ca").toString();
            // nats:// URLs: the tls settings make the connections TLS
            relaysAndRefuses(nats, Map.of("tls", Map.of("ca", ca, "cert", pki.cert("node").toString(), "key", pki.key("node").toString())),
                    Map.of("tls", Map.of("ca", ca)));
            refused(node(nats, "node-s", Map.of("tls", Map.of("ca", ca, "cert", pki.cert("stranger").toString(), "key", pki.key("stranger").toString()))));
            // TLS 1.3: the server refuses the certificate after the client's side of the handshake is done, and jnats
            // reports the connection's timeout, not the server's alert
            await("the refusal logged", () -> logs.has("WARN cluster: NATS did not complete the connection within 2 s: the server did not"
                    + " answer in time, or it asks for client certificates (tls verify) and refused this node's, which it does without a word"), () -> String.join("\n", logs.lines()));
        }
    }

    @Test
    void aServerCertificateMadeForAnotherHostIsRefused() throws Exception {
        pki.server("elsewhere", "nats-ca", "DNS:nats.example.com", 1);
        try (NatsServers nats = tlsNats("elsewhere"); BackplaneLogs logs = new BackplaneLogs()) {
            refused(node(nats, "node-x", Map.of("servers", tlsUrl(nats), "tls", Map.of("ca", pki.cert("nats-ca").toString()))));
            await("the refusal logged", () -> logs.has("WARN cluster: TLS to NATS failed: No subject alternative names matching IP address 127.0.0.1 found"),
                    () -> String.join("\n", logs.lines()));
        }
    }

    @Test
    void anExpiredServerCertificateIsRefused() throws Exception {
        pki.server("expired", "nats-ca", "IP:127.0.0.1", -1);
        try (NatsServers nats = tlsNats("expired"); BackplaneLogs logs = new BackplaneLogs()) {
            refused(node(nats, "node-x", Map.of("servers", tlsUrl(nats), "tls", Map.of("ca", pki.cert("nats-ca").toString()))));
            await("the refusal logged", () -> logs.has("WARN cluster: TLS to NATS failed: PKIX path validation failed: "
                    + "java.security.cert.CertPathValidatorException: validity check failed (NotAfter: "),
                    () -> String.join("\n", logs.lines()));
        }
    }

    @Test
    void aNodeWithTlsSettingsNeverSpeaksPlaintextToANatsWithoutTls() throws Exception {
        try (NatsServers nats = new NatsServers(1); BackplaneLogs logs = new BackplaneLogs()) {
            refused(node(nats, "node-x", Map.of("tls", Map.of("ca", pki.cert("nats-ca").toString()))));
            await("the refusal logged", () -> logs.has("WARN cluster: TLS to NATS failed: the server does not offer TLS"), () -> String.join("\n", logs.lines()));
        }
    }

    @Test
    void aNodeWithoutTlsSettingsIsToldThatNatsRequiresTls() throws Exception {
        try (NatsServers nats = tlsNats("nats"); BackplaneLogs logs = new BackplaneLogs()) {
            refused(node(nats, "node-x", Map.of()));
            await("the refusal logged", () -> logs.has("WARN cluster: TLS to NATS failed: the server requires TLS"), () -> String.join("\n", logs.lines()));
        }
    }

    @Test
    void aServerThatStallsTheHandshakeNeitherHoldsTheNodeNorGoesUnsaid() throws Exception {
        try (ServerSocket stall = new ServerSocket(0, 50, InetAddress.getLoopbackAddress()); BackplaneLogs logs = new BackplaneLogs()) {
            final List<Socket> held = new CopyOnWriteArrayList<>();
            final Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        final Socket socket = stall.accept(); // says it is a NATS server that wants TLS, then nothing
                        held.add(socket);
                        socket.getOutputStream().write(("INFO {\"server_id\":\"stall\",\"version\":\"2.9.10\",\"proto\":1,"
                                + "\"max_payload\":1048576,\"tls_required\":true}\r\n").getBytes(StandardCharsets.US_ASCII));
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            }, "stalling-nats");
            acceptor.setDaemon(true);
            acceptor.start();
            final long started = System.nanoTime();
            final RunningServer node = node("node-x", Map.of("servers", List.of("tls://127.0.0.1:" + stall.getLocalPort()),
                    "tls", Map.of("ca", pki.cert("nats-ca").toString())));
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(2), "the node starts without waiting for NATS");
            refused(node);
            await("the stall logged", () -> logs.has("WARN cluster: NATS did not complete the connection within 2 s"),
                    () -> String.join("\n", logs.lines()));
            await("a second attempt", () -> held.size() >= 2, () -> held.size() + " connections");
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    /** A node refused by NATS: it serves its own clients and joins no one. */
    private void refused(RunningServer node) throws Exception {
        final KitClient x1 = connect(node);
        final KitClient x2 = connect(node);
        awaitConnections(node, 2);
        x1.send("alone\n");
        assertEquals(envelope(x1, "alone"), x2.readLine(), "kept off the bus, it serves its own clients");
        awaitStats(node, "its line for other nodes counted as not sent", s -> s.clusterLinesNotSent() == 1);
        assertTrue(node.clusterNodes().isEmpty());
    }
}
