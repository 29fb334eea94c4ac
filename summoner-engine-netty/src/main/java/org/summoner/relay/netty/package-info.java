/**
 * The high-performance {@code rss_3} engine on Netty 4.2: native epoll on Linux when available, Netty's NIO
 * transport otherwise. See {@code docs/ARCHITECTURE.md} for the threads, buffers and bounds.
 */
package org.summoner.relay.netty;
