package org.summoner.relay.bench.jmh;

import com.goterl.lazysodium.LazySodiumJava;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
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

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One Ed25519 verification, the candidates of issue 29 side by side in one run: the JDK's SunEC as the relay called it
 * before issue 29 (a {@link Signature} and a key decoded per call), SunEC at its best (one
 * {@link Signature} and the decoded key kept), BouncyCastle's RFC 8032 code from the raw key bytes, and BouncyCastle
 * with the key's point decoded once ({@link Ed25519.PublicPoint}, what a relay that remembers an identity's key can
 * keep; the raw-key path is what {@code identity.Ed25519.verify} calls now), and libsodium: the system's (Debian's 1.0.18) called through JNA's direct mapping, and the one lazysodium-java
 * 5.1.4 bundles, through lazysodium's API ({@link LibSodium}). Each call verifies another of 256 signatures over
 * 600-byte messages (the size of a signed envelope's core) by one key, every one valid. Throughput, one thread:
 * verifications per second per core. A libsodium that cannot be loaded fails its own benchmark only.
 *
 * <p>{@code java -jar summoner-bench/target/benchmarks.jar Ed25519Benchmark -f 1 -wi 2 -w 2s -i 3 -r 3s}. No library
 * callable from Java offers strict batch verification (docs/benchmarks/ed25519-candidates.txt), so none is here.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
public class Ed25519Benchmark {
    private static final int MESSAGES = 256;
    private static final int MESSAGE_BYTES = 600;
    /** SubjectPublicKeyInfo of an Ed25519 key (RFC 8410) without its 32 key bytes. */
    private static final byte[] X509_HEADER = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    private byte[] rawKey;
    private PublicKey key;
    private Signature kept;
    private Ed25519.PublicPoint point;
    private byte[][] messages;
    private byte[][] signatures;
    private int next;

    @Setup(Level.Trial)
    public void sign() throws GeneralSecurityException {
        final KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        final byte[] encoded = pair.getPublic().getEncoded();
        rawKey = Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
        key = decode(rawKey);
        kept = Signature.getInstance("Ed25519");
        point = Ed25519.validatePublicKeyFullExport(rawKey, 0);
        messages = new byte[MESSAGES][MESSAGE_BYTES];
        signatures = new byte[MESSAGES][];
        final Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(pair.getPrivate());
        for (int i = 0; i < MESSAGES; i++) {
            ThreadLocalRandom.current().nextBytes(messages[i]);
            signer.update(messages[i]);
            signatures[i] = signer.sign();
        }
    }

    static PublicKey decode(byte[] raw) throws GeneralSecurityException {
        final byte[] encoded = Arrays.copyOf(X509_HEADER, X509_HEADER.length + 32);
        System.arraycopy(raw, 0, encoded, X509_HEADER.length, 32);
        return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
    }

    private int nextIndex() {
        next = next + 1 == MESSAGES ? 0 : next + 1;
        return next;
    }

    /** The system's libsodium, loaded once per run. */
    @State(Scope.Benchmark)
    public static class SystemSodium {
        @Setup(Level.Trial)
        public void load() {
            if (LibSodium.missing() != null) {
                throw new IllegalStateException(LibSodium.missing());
            }
            System.out.println("system libsodium " + LibSodium.sodium_version_string());
        }
    }

    /** lazysodium-java with its bundled libsodium, loaded once per run. */
    @State(Scope.Benchmark)
    public static class BundledSodium {
        LazySodiumJava lazy;

        @Setup(Level.Trial)
        public void load() {
            lazy = LibSodium.bundled(); // lazysodium-java 5.1.4 bundles libsodium 1.0.18
        }
    }

    @Benchmark
    public boolean sunEcAsTheRelayCallsIt() throws GeneralSecurityException {
        final int i = nextIndex();
        final Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(decode(rawKey));
        verifier.update(messages[i]);
        return verifier.verify(signatures[i]);
    }

    @Benchmark
    public boolean sunEcKeyAndSignatureKept() throws GeneralSecurityException {
        final int i = nextIndex();
        kept.initVerify(key);
        kept.update(messages[i]);
        return kept.verify(signatures[i]);
    }

    @Benchmark
    public boolean bouncyCastleRawKey() {
        final int i = nextIndex();
        return Ed25519.verify(signatures[i], 0, rawKey, 0, messages[i], 0, MESSAGE_BYTES);
    }

    @Benchmark
    public boolean bouncyCastlePointKept() {
        final int i = nextIndex();
        return Ed25519.verify(signatures[i], 0, point, messages[i], 0, MESSAGE_BYTES);
    }

    @Benchmark
    public boolean libsodiumSystemJna(SystemSodium sodium) {
        final int i = nextIndex();
        return LibSodium.verify(rawKey, messages[i], signatures[i]);
    }

    @Benchmark
    public boolean lazysodiumBundled(BundledSodium sodium) {
        final int i = nextIndex();
        return sodium.lazy.cryptoSignVerifyDetached(signatures[i], messages[i], MESSAGE_BYTES, rawKey);
    }
}
