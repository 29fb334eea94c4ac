package org.summoner.relay;

/**
 * The server could not start: the address could not be bound or resolved, or the engines on the class path are
 * ambiguous. The message is one line meant for an operator, e.g.
 * {@code cannot bind 127.0.0.1:8888: Address already in use}.
 */
public final class ServerStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ServerStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
