package org.summoner.relay.bench.load;

import org.summoner.relay.identity.AuroraSigner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code summoner-load identity}: a fresh Aurora identity for a benchmark's host (SPEC sections 7 and 8). Prints its
 * fingerprint, to list in {@code hosted_relay.host_fingerprints}, and writes its binding line (a signed envelope to
 * no one) for {@code run --hello}.
 */
@Command(name = "identity", mixinStandardHelpOptions = true,
        description = {"Makes an Aurora identity: prints its fingerprint and writes a signed binding line to FILE."})
final class IdentityCommand implements Callable<Integer> {
    @Option(names = "--hello-out", paramLabel = "FILE", required = true, description = "Where the binding line goes.")
    Path helloOut;

    @Override
    public Integer call() throws Exception {
        final AuroraSigner identity = AuroraSigner.generate(Map.of("name", "summoner-load host"));
        Files.writeString(helloOut, identity.seal(Map.of("role", "host"), null) + "\n", StandardCharsets.UTF_8);
        System.out.println(identity.fingerprint());
        return 0;
    }
}
