/**
 * The engine SPI: what an engine implements ({@link org.summoner.relay.spi.RelayEngineProvider},
 * {@link org.summoner.relay.spi.RelayEngine}), what it is given ({@link org.summoner.relay.spi.EngineContext},
 * {@link org.summoner.relay.counters.RelayCounters}), and how the server finds and chooses one
 * ({@link org.summoner.relay.spi.EngineDiscovery}, {@link org.summoner.relay.spi.EngineResolver}). An engine with a
 * thread per connection needs only {@link org.summoner.relay.spi.serial} and the sockets of
 * {@link org.summoner.relay.stream}.
 *
 * <p>This package sits above the core: {@link org.summoner.relay.spi.EngineContext#core()} still hands the loop engines
 * (nio, netty, agrona) the core itself, the part of the contract issue 26's step 4 narrows; nothing below depends on
 * it ({@code tools/package-cycles.py} finds no circle).
 */
package org.summoner.relay.spi;
