/**
 * The default engine: plain {@code java.nio} non-blocking selector loops, one per {@code worker_threads}, fed by
 * one acceptor thread. See {@code docs/ARCHITECTURE.md} for the threads, the queues and their bounds.
 */
package org.summoner.relay.nio;
