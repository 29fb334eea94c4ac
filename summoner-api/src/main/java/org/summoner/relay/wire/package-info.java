/**
 * Engine-neutral wire building blocks that every engine reuses so the contract lives in one place:
 * the bounded {@link org.summoner.relay.wire.LineFramer}, {@link org.summoner.relay.wire.Utf8} validation,
 * the {@link org.summoner.relay.wire.EnvelopeEncoder} and the {@link org.summoner.relay.wire.ServerNotice} lines.
 *
 * <p>Everything here works on {@code byte[]} ranges, allocates nothing per line in steady state and reports
 * expected conditions (over-long line, invalid UTF-8) as callbacks, never as exceptions.
 */
package org.summoner.relay.wire;
