package org.summoner.relay.server;

import org.slf4j.Logger;
import org.summoner.relay.RunningServer;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Locale;

/**
 * The wire from {@code kill -USR2 <pid>} (what {@code nats-server --signal ldm} sends for its lame duck mode) to
 * {@link RunningServer#drain}: the relay stops accepting and tells its clients to reconnect over
 * {@code drain.period_secs}, then exits with status 0.
 *
 * <p>Through {@code sun.misc.Signal} (module {@code jdk.unsupported}), reached by reflection so that a JVM without it
 * (or a system without SIGUSR2, Windows) starts the relay anyway and says so. HotSpot on Linux uses SIGUSR2 for its
 * own thread suspension (JFR's method sampling among others) unless {@code _JAVA_SR_SIGNUM} moves it: measured on
 * OpenJDK 17 and Temurin 25, the handler installs either way, but without the variable it replaces HotSpot's and JFR
 * takes no more execution samples, and on JDK 17 a SIGUSR2 that comes before the handler is installed crashes the JVM
 * (with the variable it ends the process with status 140). The launcher sets {@code _JAVA_SR_SIGNUM=39}; without it a
 * DEBUG line says what to set.
 */
final class DrainSignal {
    static final String SIGNAL = "USR2";
    /** What the launcher sets: a real-time signal no one else uses, in HotSpot's allowed range (12 to 64). */
    static final String SR_SIGNUM = "39";

    private DrainSignal() {
    }

    /**
     * Installs the handler: each SIGUSR2 asks {@code server} to drain over its {@code drain.period_secs} (only the
     * first counts).
     *
     * @return whether the handler was installed.
     */
    static boolean install(RunningServer server, Logger log) {
        final Duration period = Duration.ofSeconds(server.config().drain().periodSecs());
        try {
            final Class<?> signalClass = Class.forName("sun.misc.Signal");
            final Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            final Object signal = signalClass.getConstructor(String.class).newInstance(SIGNAL);
            final InvocationHandler onSignal = (proxy, method, args) -> switch (method.getName()) {
                case "handle" -> {
                    drain(server, period, log);
                    yield null;
                }
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> "summoner-server drain on SIG" + SIGNAL;
            };
            final Object handler = Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[]{handlerClass}, onSignal);
            signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
        } catch (InvocationTargetException e) {
            log.warn("kill -{} (drain) is not available on this system: {}", SIGNAL, e.getCause().toString());
            return false;
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            log.warn("kill -{} (drain) is not available in this JVM (sun.misc.Signal, module jdk.unsupported): {}", SIGNAL, e.toString());
            return false;
        }
        if (System.getenv("_JAVA_SR_SIGNUM") == null && !System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) {
            // DEBUG, not WARN: a plain "java -jar" start prints what the SDK prints, nothing more (the docs say it)
            log.debug("SIGUSR2 is this JVM's own thread-suspend signal: the drain's handler replaces it, which stops JFR's "
                    + "method sampling; set _JAVA_SR_SIGNUM={} in the environment to move the JVM's use (bin/summoner-server does)", SR_SIGNUM);
        }
        return true;
    }

    private static void drain(RunningServer server, Duration period, Logger log) {
        if (!server.drain(period)) {
            log.debug("SIG{} ignored: the server is draining or closing already", SIGNAL);
        }
    }
}
