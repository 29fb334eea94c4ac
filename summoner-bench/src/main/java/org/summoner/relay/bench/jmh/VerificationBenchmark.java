package org.summoner.relay.bench.jmh;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.summoner.relay.identity.AuroraSigner;
import org.summoner.relay.identity.AuroraVerifier;
import org.summoner.relay.identity.IdentityMemo;
import org.summoner.relay.identity.Json;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What checking one signed line costs one core, as {@code routing: dedicated} checks it: a directed Aurora envelope
 * (alice to bob, a 200-byte ciphertext payload) parsed, canonicalised and verified, every line a different one.
 * {@code verify} is what the relay does per line (the sender's and receiver's records are verified once per
 * connection and remembered, the envelope signature every time); {@code verifyNothingRemembered} checks all three
 * signatures; {@code parseAndCanonicalise} is the JSON work alone. Throughput, one thread: lines per second per core.
 * The verifier remembers the result of each signature it checked (its SignatureCache, 16,384 slots), so after the
 * first pass over the 512 lines {@code verify} and {@code verifyNothingRemembered} measure those hits, not
 * Ed25519; {@code verifyEveryLineAnew} takes a new verifier at each pass, so every line's envelope signature is
 * checked, as for a line never seen before.
 *
 * <p>{@code java -jar summoner-bench/target/benchmarks.jar VerificationBenchmark -f 1 -wi 2 -w 2s -i 3 -r 3s}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
public class VerificationBenchmark {
    private static final int LINES = 512;

    private final AuroraVerifier verifier = new AuroraVerifier(AuroraVerifier.Paths.DEFAULTS);
    private final IdentityMemo memo = new IdentityMemo();
    private byte[][] lines;
    private int next;

    @Setup(Level.Trial)
    public void sign() {
        final AuroraSigner alice = AuroraSigner.generate(Map.of("name", "alice"));
        final AuroraSigner bob = AuroraSigner.generate(null);
        lines = new byte[LINES][];
        for (int i = 0; i < LINES; i++) {
            lines[i] = alice.seal(Map.of("v", "payload.enc.v1", "nonce", "n" + i, "ciphertext", "c".repeat(200)),
                    Map.of("sender_role", 0, "ts", 1_772_121_524L + i), bob.publicId()).getBytes(StandardCharsets.US_ASCII);
        }
    }

    private byte[] nextLine() {
        next = next + 1 == LINES ? 0 : next + 1;
        return lines[next];
    }

    @Benchmark
    public boolean verify() {
        final byte[] line = nextLine();
        return verifier.verify(line, 0, line.length, AuroraVerifier.SenderCheck.ANYONE, memo).valid();
    }

    private AuroraVerifier anew = new AuroraVerifier(AuroraVerifier.Paths.DEFAULTS);

    @Benchmark
    public boolean verifyEveryLineAnew() {
        final byte[] line = nextLine();
        if (next == 0) {
            anew = new AuroraVerifier(AuroraVerifier.Paths.DEFAULTS); // one allocation per 512 lines
        }
        return anew.verify(line, 0, line.length, AuroraVerifier.SenderCheck.ANYONE, memo).valid();
    }

    @Benchmark
    public boolean verifyNothingRemembered() {
        final byte[] line = nextLine();
        return verifier.verify(line, 0, line.length, AuroraVerifier.SenderCheck.ANYONE, null).valid();
    }

    @Benchmark
    public int parseAndCanonicalise() throws Json.NotJson {
        final byte[] line = nextLine();
        return Json.canonical(Json.parse(line, 0, line.length)).length;
    }
}
