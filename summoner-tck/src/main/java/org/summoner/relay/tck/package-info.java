/**
 * The conformance kit: {@link org.summoner.relay.tck.RelayEngineCompatibilityKit} checks every rule of the relay
 * contract ({@code SPEC.md} sections 2 to 5) over real loopback sockets. An engine's test subclasses it with one
 * method naming the engine.
 */
package org.summoner.relay.tck;
