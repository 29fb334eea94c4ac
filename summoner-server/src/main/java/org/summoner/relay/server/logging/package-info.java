/**
 * The runnable server's logging, configured from the {@code logger} section of {@code server_config.json}: Python
 * formats and strftime dates on the console and in files, size rotation, JSON lines, {@code log_keys}, and
 * appenders that never make the relay wait. An application that embeds the server keeps its own logging.
 */
package org.summoner.relay.server.logging;
