package org.summoner.relay.netty;

import org.junit.jupiter.api.extension.ExtendWith;
import org.summoner.relay.tck.RelayEngineTlsKit;

/** The Netty engine against the kit's wire sections over TLS ({@code SslHandler}), with every buffer tracked for leaks. */
@ExtendWith(LeakWatch.class)
class NettyTlsCompatibilityTest extends RelayEngineTlsKit {
    @Override
    protected String engineName() {
        return "netty";
    }
}
