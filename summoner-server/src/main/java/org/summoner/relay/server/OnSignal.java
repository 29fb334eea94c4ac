package org.summoner.relay.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;

/**
 * Runs an action on its own thread each time the process receives a signal ({@code HUP}), however many arrive while
 * it runs: a storm of signals costs one run after the one under way, never a thread each. The signal is caught with
 * {@code sun.misc.Signal} (module {@code jdk.unsupported}, in every JDK from 9 on), reached by reflection because
 * {@code javac --release} warns about it, and the build fails on warnings.
 *
 * <p>Thread-safe. {@link #close()} stops the thread; the signal's handler then does nothing.
 */
final class OnSignal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OnSignal.class);

    private final Object lock = new Object();
    private final Runnable action;
    private final Thread runner;
    private boolean pending;
    private boolean closed;

    private OnSignal(String threadName, Runnable action) {
        this.action = action;
        this.runner = new Thread(this::run, threadName);
        this.runner.setDaemon(true);
    }

    /**
     * @param signal the signal's name without {@code SIG}, e.g. {@code HUP}.
     * @return the handler, installed; or null, with a WARN line naming why, where the signal cannot be caught (an
     *         operating system without it, a JVM run with {@code -Xrs}, a JDK without {@code jdk.unsupported}).
     */
    static OnSignal install(String signal, String threadName, Runnable action) {
        final OnSignal handler = new OnSignal(threadName, action);
        try {
            final Class<?> signalClass = Class.forName("sun.misc.Signal");
            final Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            final Object which = signalClass.getConstructor(String.class).newInstance(signal);
            final InvocationHandler calls = (proxy, method, args) -> switch (method.getName()) {
                case "handle" -> {
                    handler.signalled();
                    yield null;
                }
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> "SIG" + signal + " handler";
            };
            final Object proxy = Proxy.newProxyInstance(OnSignal.class.getClassLoader(), new Class<?>[]{handlerClass}, calls);
            signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, which, proxy);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            final Throwable cause = e.getCause() != null ? e.getCause() : e;
            log.warn("SIG{} cannot be caught here ({}); {} only through the API", signal, cause, threadName);
            return null;
        }
        handler.runner.start();
        return handler;
    }

    /** On the JVM's signal thread: asks for one more run, and returns at once. */
    private void signalled() {
        synchronized (lock) {
            pending = true;
            lock.notifyAll();
        }
    }

    private void run() {
        while (true) {
            synchronized (lock) {
                while (!pending && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                pending = false;
            }
            try {
                action.run();
            } catch (RuntimeException e) {
                log.error("{} failed", runner.getName(), e);
            }
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
    }
}
