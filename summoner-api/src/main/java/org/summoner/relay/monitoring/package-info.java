/**
 * The monitoring listener (SPEC section 10): {@code /metrics} for Prometheus, {@code /healthz} for orchestrators and
 * {@code /connz} for people, served by a small non-blocking HTTP/1.1 server of its own ({@code HttpListener}, with
 * bounds no client can get around) from snapshots of what the relay threads publish; a scrape never makes a relay
 * thread wait.
 */
package org.summoner.relay.monitoring;
