package org.summoner.relay.tck;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;

/** A TLS client's trust manager that accepts any server certificate and records the subject it was shown. */
final class CertificateRecorder implements X509TrustManager {
    volatile String subject;

    /** @return a client context that trusts through this recorder. */
    SSLContext context() throws GeneralSecurityException {
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {this}, null);
        return context;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
        throw new UnsupportedOperationException("a client's trust manager");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
        subject = chain[0].getSubjectX500Principal().getName();
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
