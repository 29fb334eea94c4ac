/**
 * The server configuration: the keys of a Summoner {@code server_config.json} (SPEC section 6), read once from a
 * file or an in-memory map, validated once, immutable afterwards.
 */
package org.summoner.relay.config;
