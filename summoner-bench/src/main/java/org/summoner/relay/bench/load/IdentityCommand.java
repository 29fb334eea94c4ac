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
 * fingerprint, to list in {@code hosted_relay.host_fingerprints}, and writes the identity ({@link AuroraSigner#export})
 * for {@code run --host-identity}, which signs each sender's binding envelope when it connects: the relay takes a
 * signed envelope only while fresh and only once, so a binding line cannot be prepared ahead and reused.
 */
@Command(name = "identity", mixinStandardHelpOptions = true,
        description = {"Makes an Aurora identity: prints its fingerprint and writes the identity (with its key) to FILE."})
final class IdentityCommand implements Callable<Integer> {
    @Option(names = "--identity-out", paramLabel = "FILE", required = true, description = "Where the identity goes (secret).")
    Path identityOut;

    @Override
    public Integer call() throws Exception {
        final AuroraSigner identity = AuroraSigner.generate(Map.of("name", "summoner-load host"));
        Files.writeString(identityOut, identity.export() + "\n", StandardCharsets.UTF_8);
        System.out.println(identity.fingerprint());
        return 0;
    }
}
