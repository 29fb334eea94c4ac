/**
 * The monitoring listener (SPEC section 10): {@code /metrics} for Prometheus, {@code /healthz} for orchestrators and
 * {@code /connz} for people, served on a thread of its own from snapshots of what the relay threads publish; a
 * scrape never makes a relay thread wait.
 */
package org.summoner.relay.monitoring;
