/**
 * The Agrona variant of the high-performance {@code rss_3} engine: socket I/O agents hand each line to one fan-out
 * agent through a many-to-one ring buffer; the fan-out agent encodes every envelope once and publishes batches of
 * them to each I/O agent through one-to-one ring buffers; the I/O agents write them to their clients. See
 * {@code summoner-engine-agrona/README.md} for the threads, buffers and why.
 */
package org.summoner.relay.agrona;
