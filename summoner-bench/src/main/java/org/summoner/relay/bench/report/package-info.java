/**
 * Turns load results into {@code docs/benchmarks/RESULTS.md} and its plots.
 */
package org.summoner.relay.bench.report;
