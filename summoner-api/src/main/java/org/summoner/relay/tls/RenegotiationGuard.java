package org.summoner.relay.tls;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLProtocolException;
import javax.net.ssl.SSLSession;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.BiFunction;

/**
 * A server's {@link SSLEngine} with one decision added: once the client's first handshake is done, a handshake
 * record from it is refused. In TLS 1.2 such a record is a renegotiation, a {@code ClientHello} that would make the
 * server run a full handshake (key exchange, signature) on its I/O thread, as often as the client asks: a
 * CPU-exhaustion attack. TLS 1.3 has no renegotiation, and its post-handshake messages ({@code KeyUpdate},
 * {@code NewSessionTicket}) travel as {@code application_data} records, which pass; a handshake record there is an
 * attempt at one and is refused too.
 *
 * <p>The test is on the record's first byte, its content type, before the JDK reads the record: the JDK's engine
 * consumes at most one record per {@code unwrap} (as {@code SSLEngine}'s contract describes it: "one complete TLS
 * network packet"), and only whole ones, so the byte at {@code src}'s position always starts the record it reads
 * next, and a refused record costs the server one byte's look. The first handshake is done once the engine's session
 * is no longer the placeholder {@code SSL_NULL_WITH_NULL_NULL} that {@link SSLEngine#getSession()} documents for a
 * handshake not yet complete; that is asked only when a handshake record comes.
 *
 * <p>A refusal is counted and logged by {@link ServerTls#renegotiationRefused}, the engine's outbound side is closed
 * (what its owner wraps next is a {@code close_notify}) and {@code unwrap} throws a {@link RenegotiationRefused},
 * then again at every later call: the engines close the connection on it as on any TLS error after the handshake
 * ({@code TlsWire}'s owner sends what the engine wraps, then closes; Netty's {@code SslHandler} flushes it, closes the
 * channel and fires the exception, which its {@code SessionHandler} takes as the connection's failure).
 *
 * <p>Everything else is the JDK's engine's. Netty's {@code SslHandler} sees a JDK engine ({@code SslEngineType.JDK},
 * which it gives any engine that is neither its OpenSSL nor its Conscrypt one), which this is underneath.
 *
 * <p>As thread-safe as the engine under it; its own state is touched by {@code unwrap} only, which the engine's owner
 * calls from one thread at a time (a selector loop, a Netty event loop).
 */
final class RenegotiationGuard extends SSLEngine {
    /** The content type of a handshake record (RFC 5246 section 6.2.1, RFC 8446 section 5.1). */
    private static final byte HANDSHAKE_RECORD = 0x16;
    /** What {@link SSLEngine#getSession()} returns until the first handshake is complete. */
    private static final String NO_CIPHER_SUITE_YET = "SSL_NULL_WITH_NULL_NULL";

    private final SSLEngine engine;
    private final ServerTls tls;
    private final InetSocketAddress remote;
    private boolean established;
    private boolean refused;

    RenegotiationGuard(SSLEngine engine, ServerTls tls, InetSocketAddress remote) {
        super(engine.getPeerHost(), engine.getPeerPort());
        this.engine = engine;
        this.tls = tls;
        this.remote = remote;
    }

    // ---- the decision ----

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer dst) throws SSLException {
        refuseRenegotiation(src);
        return engine.unwrap(src, dst);
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts) throws SSLException {
        refuseRenegotiation(src);
        return engine.unwrap(src, dsts);
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) throws SSLException {
        refuseRenegotiation(src);
        return engine.unwrap(src, dsts, offset, length);
    }

    /** @throws RenegotiationRefused when the record {@code src} starts with is a handshake record after the handshake. */
    private void refuseRenegotiation(ByteBuffer src) throws SSLException {
        if (refused) {
            throw new RenegotiationRefused();
        }
        if (src.hasRemaining() && src.get(src.position()) == HANDSHAKE_RECORD && established()) {
            refused = true;
            engine.closeOutbound();
            tls.renegotiationRefused(remote);
            throw new RenegotiationRefused();
        }
    }

    private boolean established() {
        if (!established) {
            established = !NO_CIPHER_SUITE_YET.equals(engine.getSession().getCipherSuite());
        }
        return established;
    }

    /** What {@code unwrap} throws for a refused renegotiation; counted already, and not a failed handshake. */
    static final class RenegotiationRefused extends SSLProtocolException {
        RenegotiationRefused() {
            super("a new TLS handshake on an established connection (a renegotiation) is refused");
        }
    }

    // ---- the JDK's engine ----

    @Override
    public SSLEngineResult wrap(ByteBuffer src, ByteBuffer dst) throws SSLException {
        return engine.wrap(src, dst);
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer[] srcs, ByteBuffer dst) throws SSLException {
        return engine.wrap(srcs, dst);
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) throws SSLException {
        return engine.wrap(srcs, offset, length, dst);
    }

    @Override
    public Runnable getDelegatedTask() {
        return engine.getDelegatedTask();
    }

    @Override
    public void closeInbound() throws SSLException {
        engine.closeInbound();
    }

    @Override
    public boolean isInboundDone() {
        return engine.isInboundDone();
    }

    @Override
    public void closeOutbound() {
        engine.closeOutbound();
    }

    @Override
    public boolean isOutboundDone() {
        return engine.isOutboundDone();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return engine.getSupportedCipherSuites();
    }

    @Override
    public String[] getEnabledCipherSuites() {
        return engine.getEnabledCipherSuites();
    }

    @Override
    public void setEnabledCipherSuites(String[] suites) {
        engine.setEnabledCipherSuites(suites);
    }

    @Override
    public String[] getSupportedProtocols() {
        return engine.getSupportedProtocols();
    }

    @Override
    public String[] getEnabledProtocols() {
        return engine.getEnabledProtocols();
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
        engine.setEnabledProtocols(protocols);
    }

    @Override
    public SSLSession getSession() {
        return engine.getSession();
    }

    @Override
    public SSLSession getHandshakeSession() {
        return engine.getHandshakeSession();
    }

    @Override
    public void beginHandshake() throws SSLException {
        engine.beginHandshake();
    }

    @Override
    public SSLEngineResult.HandshakeStatus getHandshakeStatus() {
        return engine.getHandshakeStatus();
    }

    @Override
    public void setUseClientMode(boolean mode) {
        engine.setUseClientMode(mode);
    }

    @Override
    public boolean getUseClientMode() {
        return engine.getUseClientMode();
    }

    @Override
    public void setNeedClientAuth(boolean need) {
        engine.setNeedClientAuth(need);
    }

    @Override
    public boolean getNeedClientAuth() {
        return engine.getNeedClientAuth();
    }

    @Override
    public void setWantClientAuth(boolean want) {
        engine.setWantClientAuth(want);
    }

    @Override
    public boolean getWantClientAuth() {
        return engine.getWantClientAuth();
    }

    @Override
    public void setEnableSessionCreation(boolean flag) {
        engine.setEnableSessionCreation(flag);
    }

    @Override
    public boolean getEnableSessionCreation() {
        return engine.getEnableSessionCreation();
    }

    @Override
    public SSLParameters getSSLParameters() {
        return engine.getSSLParameters();
    }

    @Override
    public void setSSLParameters(SSLParameters parameters) {
        engine.setSSLParameters(parameters);
    }

    @Override
    public String getApplicationProtocol() {
        return engine.getApplicationProtocol();
    }

    @Override
    public String getHandshakeApplicationProtocol() {
        return engine.getHandshakeApplicationProtocol();
    }

    @Override
    public void setHandshakeApplicationProtocolSelector(BiFunction<SSLEngine, List<String>, String> selector) {
        engine.setHandshakeApplicationProtocolSelector(selector);
    }

    @Override
    public BiFunction<SSLEngine, List<String>, String> getHandshakeApplicationProtocolSelector() {
        return engine.getHandshakeApplicationProtocolSelector();
    }

    @Override
    public String toString() {
        return "RenegotiationGuard[" + engine + "]";
    }
}
