/**
 * The runnable distribution: {@code java -jar summoner-server.jar}, a command line over
 * {@link org.summoner.relay.SummonerServer} with every engine of the build on its class path.
 */
package org.summoner.relay.server;
