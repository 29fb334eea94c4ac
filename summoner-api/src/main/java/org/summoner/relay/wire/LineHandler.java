package org.summoner.relay.wire;

/**
 * Receives what a {@link LineFramer} finds in a client's byte stream. Called on the thread that feeds the
 * framer.
 */
public interface LineHandler {
    /**
     * A complete line of valid UTF-8, without its {@code \n} or a {@code \r} before it.
     *
     * <p>The bytes are only valid during the call: they may be the engine's read buffer or the framer's own.
     */
    void onLine(byte[] buffer, int offset, int length);

    /**
     * A line that will not be relayed: {@link ServerNotice#LINE_TOO_LONG} (reported once per line, as soon as it
     * passes the limit, while its remaining bytes are discarded) or {@link ServerNotice#INVALID_UTF8}.
     */
    void onLineDropped(ServerNotice reason);

    /**
     * Asked after each line handed over ({@link #onLine} or {@link #onLineDropped}): false stops the framer there, and
     * {@link LineFramer#onBytes} returns how far it got, so the handler can keep the rest for later (a connection
     * whose verification budget for this turn is spent). Always true by default.
     */
    default boolean mayGoOn() {
        return true;
    }
}
