package org.summoner.relay.bench.load;

/** Receives what an {@link InboundParser} finds. Called on the thread that reads the connection. */
interface PayloadSink {
    /** One published payload, delivered. The bytes are valid during the call only. */
    void onPayload(byte[] buffer, int offset, int length);

    /** A line or frame from the server that is not a delivery (a Summoner {@code Warning:}, a NATS {@code -ERR}). */
    void onServerNotice(String text);
}
