/**
 * The API a Java user calls: {@link org.summoner.relay.SummonerServer}, the facade that mirrors the Summoner
 * SDK's {@code SummonerServer(name).run(...)}, and the {@link org.summoner.relay.RunningServer} handle it returns.
 */
package org.summoner.relay;
