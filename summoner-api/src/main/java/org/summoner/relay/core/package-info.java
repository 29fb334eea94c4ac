/**
 * The relay core, written once for every engine: per connection a {@link org.summoner.relay.core.Session} (framing,
 * the line checks, the idle clock, notices, life cycle), the {@link org.summoner.relay.core.Router} seam that
 * chooses each line's recipients as a {@link org.summoner.relay.core.Route}, the
 * {@link org.summoner.relay.core.OutboundBudget} that decides what a recipient's backlog means, and per engine
 * thread a {@link org.summoner.relay.core.Dispatcher} (the turn's clock, counters and encoding buffer) whose one
 * engine-specific job is to hand encoded envelopes to the sessions a route includes.
 *
 * <p>An engine without loops of its own (threads per connection) uses {@link org.summoner.relay.core.SerialCore}: the
 * dispatcher, the outbound queues, timers and shutdown, behind one lock, reached through a thread-safe
 * {@link org.summoner.relay.core.SerialClient} per connection.
 *
 * <p>Engines do I/O and threads only: they feed sessions the bytes they read, write what sessions and dispatchers
 * give them, and implement {@link org.summoner.relay.core.SessionOutput} for each connection. Decisions about who
 * gets a line, who a connection is and what a backlog means are made here.
 */
package org.summoner.relay.core;
