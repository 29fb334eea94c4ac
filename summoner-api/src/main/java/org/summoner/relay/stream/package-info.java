/**
 * Sockets for engines with a reader and a writer thread per connection, plain or TLS behind one interface,
 * {@link org.summoner.relay.stream.ClientStream}: {@link org.summoner.relay.stream.WaitingChannel}
 * (waits like a blocking socket's over a non-blocking one, so a full socket is known as one) and
 * {@link org.summoner.relay.stream.TlsStream} (TLS over it), with the {@link org.summoner.relay.spi.serial.Client}
 * of the narrow contract; and {@link org.summoner.relay.stream.ClientSockets}, what every engine does to a client's
 * socket (options, keepalive) and how a dead peer is told from a reset. The blocking engine is built from these and
 * the SPI, and nothing else.
 */
package org.summoner.relay.stream;
