package org.summoner.relay.nats;

import org.summoner.relay.tck.ChildProcesses;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Certificates made at test time with {@code openssl} (EC P-256, PEM, keys PKCS#8 unencrypted), in a directory of the
 * test's: CAs, and certificates they sign for a server (its subject alternative name given) or a client, valid for a
 * day or already expired. Nothing is committed; without {@code openssl} the test is skipped, saying so.
 */
final class TestPki {
    private final Path dir;

    /** @param dir where the files go (a JUnit {@code @TempDir}). */
    TestPki(Path dir) {
        assumeTrue(ChildProcesses.works("openssl", "version"), "openssl is not installed: the TLS tests to NATS make their certificates with it");
        this.dir = dir;
    }

    /** Makes {@code <name>.crt} and {@code <name>.key}, a self-signed CA; @return the certificate's path. */
    Path ca(String name) throws IOException, InterruptedException {
        run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key(name).toString(),
                "-out", cert(name).toString(), "-days", "2", "-subj", "/CN=" + name,
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign");
        return cert(name);
    }

    /** Makes {@code <name>.crt}, signed by {@code ca} for a server at {@code san} (e.g. {@code IP:127.0.0.1}), and its key. */
    Path server(String name, String ca, String san, int days) throws IOException, InterruptedException {
        return leaf(name, ca, "subjectAltName=" + san + "\nextendedKeyUsage=serverAuth\n", days);
    }

    /** Makes {@code <name>.crt}, signed by {@code ca} for a client, and its key. */
    Path client(String name, String ca) throws IOException, InterruptedException {
        return leaf(name, ca, "extendedKeyUsage=clientAuth\n", 1);
    }

    Path cert(String name) {
        return dir.resolve(name + ".crt");
    }

    Path key(String name) {
        return dir.resolve(name + ".key");
    }

    /** @param days -1 for a certificate that expired as it was made. */
    private Path leaf(String name, String ca, String extensions, int days) throws IOException, InterruptedException {
        final Path csr = dir.resolve(name + ".csr");
        final Path ext = dir.resolve(name + ".ext");
        Files.writeString(ext, extensions, StandardCharsets.US_ASCII);
        run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key(name).toString(),
                "-out", csr.toString(), "-subj", "/CN=" + name);
        run("x509", "-req", "-in", csr.toString(), "-CA", cert(ca).toString(), "-CAkey", key(ca).toString(),
                "-set_serial", Long.toString(System.nanoTime()), "-days", Integer.toString(days), "-out", cert(name).toString(),
                "-extfile", ext.toString());
        return cert(name);
    }

    private void run(String... args) throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }
}
