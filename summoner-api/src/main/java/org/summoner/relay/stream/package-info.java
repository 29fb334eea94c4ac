/**
 * Sockets for engines with a reader and a writer thread per connection, plain or TLS behind one interface,
 * {@link org.summoner.relay.stream.ClientStream}: {@link org.summoner.relay.stream.WaitingChannel}
 * (waits like a blocking socket's over a non-blocking one, so a full socket is known as one) and
 * {@link org.summoner.relay.stream.TlsStream} (TLS over it). Used with the core's
 * {@link org.summoner.relay.core.SerialCore}; the blocking engine is built from these and nothing else.
 */
package org.summoner.relay.stream;
