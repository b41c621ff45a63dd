package dev.bottles.bundle.internal;

import dev.bottles.BottleException;
import dev.bottles.sidecars.CertificateAuthority;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Egress's TLS: per-host leaf certificates minted from the egress CA (cached) for the agent leg, and
 * one client context that verifies upstreams against the JDK's trust store plus extra anchors.
 */
public final class Tls {
    private static final int MAX_LEAVES = 1024;
    private static final Duration LEAF_VALIDITY = Duration.ofDays(7);

    private final CertificateAuthority ca;
    private final SslContext client;
    private final ConcurrentHashMap<String, SslContext> leaves = new ConcurrentHashMap<>();

    /**
     * Loads the CA and builds the client context.
     *
     * @param caCert the CA certificate
     * @param caKey the CA key
     * @param extraAnchors PEM files of extra trust anchors (missing files are skipped)
     */
    public Tls(Path caCert, Path caKey, List<Path> extraAnchors) {
        this.ca = CertificateAuthority.load(caCert, caKey);
        try {
            this.client = SslContextBuilder.forClient()
                    .trustManager(trust(extraAnchors))
                    .build();
        } catch (SSLException e) {
            throw new BottleException("cannot build egress's upstream TLS context (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Returns the server context presenting a leaf for a host, minting it on first use.
     *
     * @param host the host the agent asked for
     * @return the context
     */
    public SslContext leaf(String host) {
        SslContext c = leaves.get(host);
        if (c != null) {
            return c;
        }
        if (leaves.size() >= MAX_LEAVES) {
            leaves.clear();
        }
        return leaves.computeIfAbsent(host, h -> {
            CertificateAuthority.Leaf leaf = ca.issue(h, LEAF_VALIDITY, Clock.systemUTC());
            try {
                return SslContextBuilder.forServer(leaf.privateKey(), leaf.chain())
                        .build();
            } catch (SSLException e) {
                throw new BottleException("cannot build a TLS context for " + h + " (" + e.getMessage() + ")", e);
            }
        });
    }

    /**
     * Returns a client handler for an upstream: SNI set to the host, and the host name verified
     * against the certificate.
     *
     * @param alloc the allocator
     * @param host the upstream's name
     * @param port its port
     * @return the handler
     */
    public SslHandler upstream(ByteBufAllocator alloc, String host, int port) {
        SSLEngine engine = client.newEngine(alloc, host, port);
        SSLParameters p = engine.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(p);
        return new SslHandler(engine);
    }

    private static TrustManagerFactory trust(List<Path> extraAnchors) {
        try {
            TrustManagerFactory system = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            system.init((KeyStore) null);
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int n = 0;
            for (var tm : system.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    for (X509Certificate c : x.getAcceptedIssuers()) {
                        ks.setCertificateEntry("system-" + n++, c);
                    }
                }
            }
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (Path p : extraAnchors) {
                if (!Files.isRegularFile(p)) {
                    continue;
                }
                try (InputStream in = Files.newInputStream(p)) {
                    for (Certificate c : cf.generateCertificates(in)) {
                        ks.setCertificateEntry("extra-" + n++, c);
                    }
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            return tmf;
        } catch (GeneralSecurityException | IOException e) {
            throw new BottleException(
                    "cannot load egress's trust anchors " + extraAnchors + " (" + e.getMessage() + ")", e);
        }
    }
}
