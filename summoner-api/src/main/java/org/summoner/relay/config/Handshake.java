package org.summoner.relay.config;

/**
 * {@code hyper_parameters.handshake} (ours, SPEC section 9).
 *
 * @param required    nothing a client sends is relayed until its connection is bound to an allowed identity.
 * @param challenge   with {@code required}: the server's first line to a client is a challenge whose nonce the binding
 *                    envelope's payload must hold, so a captured envelope cannot be replayed on another connection.
 * @param timeoutSecs with {@code required}: a client not bound by then is told and closed.
 */
public record Handshake(boolean required, boolean challenge, long timeoutSecs) {
}
