/**
 * Runnable samples, one {@code main} class each; each class's javadoc gives the command that runs it.
 */
package org.summoner.relay.examples;
