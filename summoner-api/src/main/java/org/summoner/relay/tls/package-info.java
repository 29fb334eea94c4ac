/** TLS on the relay port (SPEC section 10): the server's {@code SSLContext} from the PEM files, shared by every engine. */
package org.summoner.relay.tls;
