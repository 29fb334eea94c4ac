/**
 * Measuring sticks: {@code jmh} holds the JMH fan-out latency suite, {@code load} the load harness that speaks
 * the Summoner, NATS and Redis protocols, {@code report} the writer of {@code docs/benchmarks/RESULTS.md}.
 */
package org.summoner.relay.bench;
