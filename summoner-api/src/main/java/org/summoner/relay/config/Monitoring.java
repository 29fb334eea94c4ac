package org.summoner.relay.config;

/**
 * {@code monitoring} (ours, SPEC section 10): where the HTTP listener of {@code /metrics}, {@code /healthz} and
 * {@code /connz} binds. Off unless {@code port} is set.
 *
 * @param host the listener's bind address (default {@code 127.0.0.1}: metrics name every client's address).
 * @param port the listener's port, 0 for a free one; null: no listener.
 */
public record Monitoring(String host, Integer port) {
    /** No listener. */
    public static final Monitoring OFF = new Monitoring("127.0.0.1", null);

    /** @return whether a listener is asked for. */
    public boolean enabled() {
        return port != null;
    }
}
