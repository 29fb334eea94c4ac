/**
 * JMH benchmarks, run from {@code summoner-bench/target/benchmarks.jar} (see {@code bench/jmh.sh}).
 */
package org.summoner.relay.bench.jmh;
