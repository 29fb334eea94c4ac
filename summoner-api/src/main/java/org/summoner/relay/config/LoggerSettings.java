package org.summoner.relay.config;

import java.util.List;

/**
 * The {@code logger} section, as a Summoner {@code server_config.json} writes it. Read and checked here; applied
 * by the runnable server's logging set-up (an embedding application keeps its own logging).
 *
 * @param logLevel one of TRACE, DEBUG, INFO, WARNING (or WARN), ERROR, CRITICAL, upper-cased.
 * @param logKeys  null, or the keys of a relayed JSON line that may reach the log.
 */
public record LoggerSettings(
        String logLevel,
        boolean enableConsoleLog,
        String consoleLogFormat,
        boolean enableFileLog,
        String logFilePath,
        boolean enableJsonLog,
        String logFormat,
        String dateFormat,
        long maxFileSize,
        int backupCount,
        List<String> logKeys) {
}
