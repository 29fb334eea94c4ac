package org.summoner.relay.bench.jmh;

import com.goterl.lazysodium.LazySodiumJava;
import com.goterl.lazysodium.SodiumJava;
import com.goterl.lazysodium.utils.LibraryLoader;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The system's libsodium (Debian's {@code libsodium23}) through JNA's direct mapping, and lazysodium-java with the
 * libsodium it bundles, as candidates of {@link Ed25519Benchmark} (issue 29). Neither is in the relay. Loading is
 * tried once, when the class is first used; {@link #missing()} says why the system's library cannot be used, so a
 * test can skip instead of failing on a machine without it. Thread-safe (libsodium's verification is).
 */
final class LibSodium {
    private static final String MISSING = load();

    private LibSodium() {
    }

    private static String load() {
        try {
            Native.register(LibSodium.class, NativeLibrary.getInstance("sodium"));
            return sodium_init() < 0 ? "sodium_init() failed" : null;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return "no libsodium on this machine (apt-get install -y libsodium23): " + e.getMessage();
        }
    }

    /** @return why the system's libsodium cannot be called, or null when it can. */
    static String missing() {
        return MISSING;
    }

    static native int sodium_init();

    static native String sodium_version_string();

    /** libsodium's {@code crypto_sign_ed25519_verify_detached}: 0 when valid, -1 otherwise. */
    static native int crypto_sign_ed25519_verify_detached(byte[] signature, byte[] message, long messageBytes, byte[] key);

    /** @return whether {@code signature} is {@code key}'s signature of {@code message}, as the system's libsodium says. */
    static boolean verify(byte[] key, byte[] message, byte[] signature) {
        return crypto_sign_ed25519_verify_detached(signature, message, message.length, key) == 0;
    }

    /** lazysodium-java with the libsodium inside its jar, never the system's. */
    static LazySodiumJava bundled() {
        return new LazySodiumJava(new SodiumJava(LibraryLoader.Mode.BUNDLED_ONLY));
    }
}
