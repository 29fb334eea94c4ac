package org.summoner.relay.server.logging;

import ch.qos.logback.classic.Level;

/** Python's level names and numbers for Logback's levels, and Logback's level for a {@code log_level}. */
final class Levels {
    private Levels() {
    }

    /** @param logLevel as {@code LoggerSettings} holds it: TRACE, DEBUG, INFO, WARNING or WARN, ERROR, CRITICAL. */
    static Level of(String logLevel) {
        return switch (logLevel) {
            case "TRACE" -> Level.TRACE;
            case "DEBUG" -> Level.DEBUG;
            case "INFO" -> Level.INFO;
            case "WARNING", "WARN" -> Level.WARN;
            case "ERROR", "CRITICAL" -> Level.ERROR;
            default -> throw new IllegalArgumentException("log_level " + logLevel);
        };
    }

    /** @return Python's name: WARNING for WARN. */
    static String pythonName(Level level) {
        return level == Level.WARN ? "WARNING" : level.toString();
    }

    static int pythonNumber(Level level) {
        return switch (level.toInt()) {
            case Level.TRACE_INT -> 5;
            case Level.DEBUG_INT -> 10;
            case Level.INFO_INT -> 20;
            case Level.WARN_INT -> 30;
            default -> 40;
        };
    }
}
