/**
 * The {@code blocking} engine: a thread-per-connection relay written only against the core's serial contract
 * ({@link org.summoner.relay.core.SerialCore}, {@link org.summoner.relay.core.SerialClient}), with TLS from
 * {@link org.summoner.relay.stream.TlsStream}. It is the example of a custom engine: it does I/O and threads, the core
 * does everything else, and it passes the whole conformance kit.
 */
package org.summoner.relay.blocking;
