/**
 * The load harness ({@code java -jar summoner-load.jar run ...}): M senders and N receivers over loopback
 * against a Summoner, NATS or Redis server, at a target rate (open loop, latency from the intended send time) or
 * at the highest rate a bounded in-flight window allows (closed loop); every delivery is checked for gaps and
 * reordering per sender, and latency is recorded in HdrHistogram.
 */
package org.summoner.relay.bench.load;
