/**
 * What the engines built on {@code java.nio} channels share (the NIO engine's workers and the Agrona engine's I/O
 * agents): the {@link org.summoner.relay.spi.BlockingAcceptor}, and the
 * {@link org.summoner.relay.selector.SelectorLoop} that owns a selector and its connections: adoption, the bounded
 * read loop, interest and read pauses, the checks on what waits for a client, goodbyes and linger, closing and
 * shutdown. An engine adds how it writes and how lines cross its threads.
 */
package org.summoner.relay.selector;
