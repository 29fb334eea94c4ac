package org.summoner.relay.monitoring;

/**
 * What the monitoring listener serves, in two parts so that nothing slow ever runs on its one I/O thread: a request
 * is first offered to {@link #answer} on that thread, which answers what costs nothing (a health check, an error) and
 * declines the rest, which {@link #render} builds on a render thread. Neither ever sees a socket: a response is built
 * in memory, whole, and written by the listener, so no client can hold the thread that built it.
 */
interface Endpoints {
    /**
     * Called on the listener's thread; must not block nor allocate more than a short response.
     *
     * @return the response, or null to have {@link #render} build it on a render thread.
     */
    HttpResponse answer(HttpRequest request);

    /** Called on a render thread, one request of a connection at a time; a failure is a {@code 500}, not a throw. */
    HttpResponse render(HttpRequest request);
}
