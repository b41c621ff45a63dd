package dev.bottles.sidecars;

import dev.bottles.BottleException;
import dev.bottles.state.SecureFiles;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * A per-bottle certificate authority: an ECDSA P-256 key (pipelock rejects RSA and Ed25519) and a
 * self-signed CA certificate, valid from five minutes before minting (clock skew) for
 * {@link #VALIDITY}. Each prepare mints fresh ones; nothing is shared between bottles.
 *
 * <p>The key is written as SEC1 PEM ({@code EC PRIVATE KEY}), the form Go's
 * {@code x509.ParseECPrivateKey} and every TLS stack here read.
 *
 * @param certificate the CA certificate
 * @param privateKey its private key
 */
public record CertificateAuthority(X509Certificate certificate, PrivateKey privateKey) {
    /** How long a minted CA is valid: 90 days, far beyond any bottle's life (resume mints anew). */
    public static final Duration VALIDITY = Duration.ofDays(90);
    /** How far before minting the validity starts, to absorb clock skew between host and sandbox. */
    public static final Duration BACKDATE = Duration.ofMinutes(5);

    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * Validates the pair.
     *
     * @param certificate the CA certificate
     * @param privateKey its private key
     */
    public CertificateAuthority {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(privateKey, "privateKey");
    }

    /**
     * Mints a CA.
     *
     * @param commonName the subject's CN, e.g. {@code bottles egress CA researcher-m3hxd}
     * @param clock the clock giving "now"
     * @return the CA
     * @throws BottleException when the JDK lacks EC support (it never should)
     */
    public static CertificateAuthority mint(String commonName, Clock clock) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            KeyPair pair = g.generateKeyPair();
            Instant now = clock.instant();
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                    .addRDN(BCStyle.O, "bottles")
                    .addRDN(BCStyle.CN, commonName)
                    .build();
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                            subject,
                            new BigInteger(127, RANDOM).add(BigInteger.ONE),
                            Date.from(now.minus(BACKDATE)),
                            Date.from(now.plus(VALIDITY)),
                            subject,
                            pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(
                            Extension.keyUsage,
                            true,
                            new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature))
                    .addExtension(
                            Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()))
                    .addExtension(
                            Extension.authorityKeyIdentifier,
                            false,
                            ext.createAuthorityKeyIdentifier(pair.getPublic()));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            return new CertificateAuthority(cert, pair.getPrivate());
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new BottleException("cannot mint a CA (" + e + "); this JDK lacks ECDSA P-256 support", e);
        }
    }

    /**
     * Reads a CA written by {@link #writeTo}.
     *
     * @param certFile the certificate (PEM)
     * @param keyFile the key (SEC1 or PKCS#8 PEM)
     * @return the CA
     * @throws BottleException naming the file when either is unreadable or not what it should be
     */
    public static CertificateAuthority load(Path certFile, Path keyFile) {
        X509Certificate cert = null;
        PrivateKey key = null;
        for (Path f : List.of(certFile, keyFile)) {
            try (PEMParser p = new PEMParser(Files.newBufferedReader(f, StandardCharsets.US_ASCII))) {
                Object o = p.readObject();
                if (o instanceof X509CertificateHolder h) {
                    cert = new JcaX509CertificateConverter().getCertificate(h);
                } else if (o instanceof PEMKeyPair kp) {
                    key = new JcaPEMKeyConverter().getPrivateKey(kp.getPrivateKeyInfo());
                } else if (o instanceof PrivateKeyInfo pki) {
                    key = new JcaPEMKeyConverter().getPrivateKey(pki);
                } else {
                    throw new BottleException(f + ": not a PEM certificate or EC private key");
                }
            } catch (IOException | GeneralSecurityException e) {
                throw new BottleException(f + ": cannot read (" + e.getMessage() + ")", e);
            }
        }
        if (cert == null || key == null) {
            throw new BottleException(certFile + " and " + keyFile + " must hold a certificate and its key");
        }
        return new CertificateAuthority(cert, key);
    }

    /**
     * A leaf certificate this CA issued for one host, with its key.
     *
     * @param privateKey the leaf's key
     * @param certificate the leaf
     * @param issuer the CA certificate, for the chain
     */
    public record Leaf(PrivateKey privateKey, X509Certificate certificate, X509Certificate issuer) {
        /**
         * Validates the leaf.
         *
         * @param privateKey the key
         * @param certificate the leaf
         * @param issuer the CA certificate
         */
        public Leaf {
            Objects.requireNonNull(privateKey, "privateKey");
            Objects.requireNonNull(certificate, "certificate");
            Objects.requireNonNull(issuer, "issuer");
        }

        /**
         * Returns the chain a TLS server presents: the leaf, then its issuer.
         *
         * @return the chain
         */
        public X509Certificate[] chain() {
            return new X509Certificate[] {certificate, issuer};
        }
    }

    /**
     * Issues a server certificate for a host name or IP literal (P-256, serverAuth, the host as
     * subject CN and as its only subject alternative name), valid from {@link #BACKDATE} ago for
     * {@code validity} but never beyond this CA.
     *
     * @param host a DNS name or an IP literal
     * @param validity how long it is valid
     * @param clock the clock giving "now"
     * @return the leaf and its key
     */
    public Leaf issue(String host, Duration validity, Clock clock) {
        return issue(List.of(host), validity, clock);
    }

    /**
     * Issues one server certificate for several names (the first is the subject CN; all are
     * subject alternative names).
     *
     * @param hosts DNS names or IP literals, at least one
     * @param validity how long it is valid
     * @param clock the clock giving "now"
     * @return the leaf and its key
     */
    public Leaf issue(List<String> hosts, Duration validity, Clock clock) {
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("at least one host");
        }
        String host = hosts.get(0);
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            KeyPair pair = g.generateKeyPair();
            Instant now = clock.instant();
            Date notAfter = Date.from(now.plus(validity));
            if (notAfter.after(certificate.getNotAfter())) {
                notAfter = certificate.getNotAfter();
            }
            GeneralName[] sans = hosts.stream()
                    .map(h -> new GeneralName(
                            h.matches("[0-9.]+") || h.contains(":") ? GeneralName.iPAddress : GeneralName.dNSName, h))
                    .toArray(GeneralName[]::new);
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                            certificate,
                            new BigInteger(127, RANDOM).add(BigInteger.ONE),
                            Date.from(now.minus(BACKDATE)),
                            notAfter,
                            new X500NameBuilder(BCStyle.INSTANCE)
                                    .addRDN(BCStyle.CN, host)
                                    .build(),
                            pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(
                            Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans))
                    .addExtension(
                            Extension.authorityKeyIdentifier,
                            false,
                            ext.createAuthorityKeyIdentifier(certificate.getPublicKey()));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(privateKey)));
            return new Leaf(pair.getPrivate(), cert, certificate);
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new BottleException("cannot issue a certificate for " + host + " (" + e + ")", e);
        }
    }

    /**
     * Returns the certificate in PEM form.
     *
     * @return {@code -----BEGIN CERTIFICATE-----...}
     */
    public String certificatePem() {
        return pem(certificate);
    }

    /**
     * Returns the private key in SEC1 PEM form, with its curve and public point, which every reader
     * (Go, OpenSSL, BouncyCastle) accepts. Never log it.
     *
     * @return {@code -----BEGIN EC PRIVATE KEY-----...}
     */
    public String privateKeyPem() {
        try {
            PrivateKeyInfo pki = PrivateKeyInfo.getInstance(privateKey.getEncoded());
            SubjectPublicKeyInfo spki =
                    SubjectPublicKeyInfo.getInstance(certificate.getPublicKey().getEncoded());
            BigInteger d = ECPrivateKey.getInstance(pki.parsePrivateKey()).getKey();
            ECPrivateKey sec1 = new ECPrivateKey(
                    256,
                    d,
                    spki.getPublicKeyData(),
                    pki.getPrivateKeyAlgorithm().getParameters());
            return pem(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
        } catch (IOException e) {
            throw new BottleException("cannot encode the CA key (" + e + ")", e);
        }
    }

    /**
     * Writes the certificate (0600) and the key (0600), atomically.
     *
     * @param certFile where the certificate goes
     * @param keyFile where the key goes
     */
    public void writeTo(Path certFile, Path keyFile) {
        SecureFiles.writePrivate(keyFile, privateKeyPem().getBytes(StandardCharsets.US_ASCII));
        SecureFiles.writePrivate(certFile, certificatePem().getBytes(StandardCharsets.US_ASCII));
    }

    private static String pem(Object o) {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(o);
        } catch (IOException e) {
            throw new BottleException("cannot encode PEM (" + e + ")", e);
        }
        return w.toString();
    }

    @Override
    public String toString() {
        return "CertificateAuthority[" + certificate.getSubjectX500Principal().getName() + ", until "
                + certificate.getNotAfter().toInstant() + "]";
    }
}
