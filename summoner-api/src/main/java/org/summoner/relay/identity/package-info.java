/**
 * Agent identities as the Summoner Aurora library makes them (SPEC section 8): strict JSON and its canonical form
 * ({@link org.summoner.relay.identity.Json}), strict base64, fingerprints, and the
 * {@link org.summoner.relay.identity.AuroraVerifier} that checks an identity record and an envelope signature byte
 * for byte as Aurora signs them, with the JDK's own Ed25519 and SHA-256. {@link org.summoner.relay.identity.AuroraSigner}
 * makes records and envelopes the same way, for Java agents and for tests.
 */
package org.summoner.relay.identity;
