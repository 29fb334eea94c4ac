package org.summoner.relay.config;

/**
 * {@code verification} (ours): where the relay checks the Ed25519 signatures of signed lines ({@code routing:
 * dedicated}, {@code hybrid}, a handshake). A line that needs a check no cache answers waits, with the rest of its
 * sender's input, while a pool thread computes it; the engine threads go on serving everyone else meanwhile.
 *
 * @param threads    the pool's threads: null (the default) for one per core the JVM sees; 0 computes the checks on the
 *                   engine threads, one per connection per turn (what the relay did before the pool).
 * @param maxWaiting the lines that may wait for the pool, all connections together; a signed line beyond them is not
 *                   relayed, and its sender is told so ({@code verification_busy}). Each connection has one line
 *                   waiting at most.
 */
public record VerificationSettings(Integer threads, int maxWaiting) {
    /** {@code verification.max_waiting} by default: about a fifth of a second of work for two cores. */
    public static final int DEFAULT_MAX_WAITING = 4_096;
    /** The most threads {@code verification.threads} may ask for. */
    public static final int MAX_THREADS = 256;
    public static final VerificationSettings DEFAULT = new VerificationSettings(null, DEFAULT_MAX_WAITING);

    /** @return the pool's threads: {@link #threads()}, or one per core the JVM sees. */
    public int poolThreads() {
        return threads != null ? threads : Runtime.getRuntime().availableProcessors();
    }
}
