/**
 * The narrow engine contract, for an engine with a thread (or two) per connection and no loops of its own: the
 * {@link org.summoner.relay.spi.serial.Relay} it gets from {@code EngineContext.relay}, one
 * {@link org.summoner.relay.spi.serial.Client} per admitted socket, and {@link org.summoner.relay.spi.serial.SocketRoom},
 * what a write that waits tells the relay about a full socket. The relay (the core's {@code SerialCore}) does
 * framing, routing, the outbound queue and its budget, read decisions, timers, lines from other nodes and shutdown;
 * the engine does I/O and threads. {@code summoner-engine-blocking} is written against this and nothing else.
 */
package org.summoner.relay.spi.serial;
