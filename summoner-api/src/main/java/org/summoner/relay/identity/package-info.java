/**
 * Agent identities as the Summoner Aurora library makes them (SPEC section 8): strict JSON and its canonical form
 * ({@link org.summoner.relay.identity.Json}), strict base64, fingerprints, and the
 * {@link org.summoner.relay.identity.AuroraVerifier} that checks an identity record and an envelope signature byte
 * for byte as Aurora signs them, with BouncyCastle's Ed25519 verification (strict, 8 to 10 times the JDK's speed) and
 * the JDK's SHA-256. {@link org.summoner.relay.identity.AuroraSigner} makes records and envelopes the same way, signing
 * with the JDK's Ed25519, for Java agents and for tests.
 */
package org.summoner.relay.identity;
