/**
 * What the relay counts and how often it says so: {@link org.summoner.relay.counters.RelayCounters} (the server's
 * counters, read by the minute summary and {@code /metrics}), {@link org.summoner.relay.counters.CounterBatch} (an
 * engine thread's counts, published once per turn), {@link org.summoner.relay.counters.RelayedLines} (the DEBUG trace of
 * relayed lines) and {@link org.summoner.relay.counters.LogThrottle} (a WARN line at most every 10 s, with the count of
 * those it held back). A leaf: it depends on the wire's types only, so the core, TLS, the cluster and monitoring
 * count through it without depending on the SPI.
 */
package org.summoner.relay.counters;
