/**
 * The {@code blocking} engine: a thread-per-connection relay written only against the SPI
 * ({@link org.summoner.relay.spi.serial.Relay}, {@link org.summoner.relay.spi.serial.Client},
 * {@link org.summoner.relay.spi.BlockingAcceptor}) and the sockets it offers ({@link org.summoner.relay.stream}). It is the example of a custom engine: it does I/O and threads, the core
 * does everything else, and it passes the whole conformance kit.
 */
package org.summoner.relay.blocking;
