package org.summoner.relay.server;

import org.slf4j.Logger;
import org.summoner.relay.RunningServer;

import java.time.Duration;
import java.util.Locale;

/**
 * The wire from {@code kill -USR2 <pid>} (what {@code nats-server --signal ldm} sends for its lame duck mode) to
 * {@link RunningServer#drain}: the relay stops accepting and tells its clients to reconnect over
 * {@code drain.period_secs}, then exits with status 0. Caught through {@link OnSignal}; only the first signal begins a
 * drain.
 *
 * <p>HotSpot on Linux uses SIGUSR2 for its own thread suspension (JFR's method sampling among others) unless
 * {@code _JAVA_SR_SIGNUM} moves it: measured on OpenJDK 17 and Temurin 25, the handler installs either way, but without
 * the variable it replaces HotSpot's and JFR takes no more execution samples, and on JDK 17 a SIGUSR2 that comes
 * before the handler is installed crashes the JVM (with the variable it ends the process with status 140). The
 * release launcher sets {@code _JAVA_SR_SIGNUM=39}; without it a DEBUG line says what to set.
 */
final class DrainSignal {
    /** What the launcher sets: a real-time signal no one else uses, in HotSpot's allowed range (12 to 64). */
    static final String SR_SIGNUM = "39";

    private DrainSignal() {
    }

    /** @return the handler of SIGUSR2, installed, or null where it cannot be (a WARN line says why). */
    static OnSignal install(RunningServer server, Logger log) {
        final OnSignal handler = OnSignal.install("USR2", "summoner-drain-signal", () -> {
            // read now: a reload (SIGHUP) may have changed drain.period_secs since start
            if (!server.drain(Duration.ofSeconds(server.config().drain().periodSecs()))) {
                log.debug("SIGUSR2 ignored: the server is draining or closing already");
            }
        });
        if (handler != null && System.getenv("_JAVA_SR_SIGNUM") == null
                && !System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) {
            // DEBUG, not WARN: a plain "java -jar" start prints what the SDK prints, nothing more (the docs say it)
            log.debug("SIGUSR2 is this JVM's own thread-suspend signal: the drain's handler replaces it, which stops JFR's "
                    + "method sampling; set _JAVA_SR_SIGNUM={} in the environment to move the JVM's use", SR_SIGNUM);
        }
        return handler;
    }
}
