/**
 * The engine SPI: what an engine implements ({@link org.summoner.relay.spi.RelayEngineProvider},
 * {@link org.summoner.relay.spi.RelayEngine}), what it is given ({@link org.summoner.relay.spi.EngineContext},
 * {@link org.summoner.relay.spi.RelayCounters}), and how the server finds and chooses one
 * ({@link org.summoner.relay.spi.EngineDiscovery}, {@link org.summoner.relay.spi.EngineResolver}).
 */
package org.summoner.relay.spi;
