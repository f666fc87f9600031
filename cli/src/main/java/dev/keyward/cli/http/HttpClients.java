package dev.keyward.cli.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.security.SecureRandom;
import java.time.Duration;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * The JDK HTTP clients, each made on first use. Making the usual one sets up the default TLS context
 * (security providers, the JDK's trust store): a large share of a command's start-up. So a call to a
 * plain-http URL (the local stack) goes through a client given a TLS context that refuses every use
 * and its TLS parameters up front, so it never sets TLS up; it only ever gets http URLs and follows no
 * redirects, so it never needs TLS, and if it did, it would fail closed.
 */
public final class HttpClients {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private HttpClient tls;
    private HttpClient plain;

    /** The client for any URL, https included. */
    public synchronized HttpClient tls() {
        if (tls == null) {
            tls = builder().build();
        }
        return tls;
    }

    /** The client for {@code uri}: the plain-http one for an http URL, else {@link #tls()}. */
    public synchronized HttpClient forUri(URI uri) {
        if (!"http".equalsIgnoreCase(uri.getScheme())) {
            return tls();
        }
        if (plain == null) {
            plain = builder().sslContext(new NoTls()).sslParameters(new SSLParameters()).build();
        }
        return plain;
    }

    private static HttpClient.Builder builder() {
        return HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER);
    }

    private static final class NoTls extends SSLContext {
        NoTls() {
            super(new SSLContextSpi() {
                @Override
                protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) {
                    throw refused();
                }

                @Override
                protected SSLSocketFactory engineGetSocketFactory() {
                    throw refused();
                }

                @Override
                protected SSLServerSocketFactory engineGetServerSocketFactory() {
                    throw refused();
                }

                @Override
                protected SSLEngine engineCreateSSLEngine() {
                    throw refused();
                }

                @Override
                protected SSLEngine engineCreateSSLEngine(String host, int port) {
                    throw refused();
                }

                @Override
                protected SSLSessionContext engineGetServerSessionContext() {
                    throw refused();
                }

                @Override
                protected SSLSessionContext engineGetClientSessionContext() {
                    throw refused();
                }
            }, null, "none");
        }

        private static UnsupportedOperationException refused() {
            return new UnsupportedOperationException("the plain-http client does no TLS");
        }
    }
}
