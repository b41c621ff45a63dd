package dev.bottles.sidecars;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateAuthorityTest {
    /** The order of NIST P-256's base point: identifies the curve. */
    private static final BigInteger P256_ORDER =
            new BigInteger("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);

    @TempDir
    Path tmp;

    @Test
    void mintedCaIsASelfSignedEcdsaP256Authority() throws Exception {
        CertificateAuthority ca = CertificateAuthority.mint("bottles egress CA x-12345", Fixtures.CLOCK);
        X509Certificate c = ca.certificate();

        assertTrue(c.getPublicKey() instanceof ECPublicKey, "ECDSA, as pipelock requires");
        assertEquals(P256_ORDER, ((ECPublicKey) c.getPublicKey()).getParams().getOrder(), "curve P-256");
        assertEquals("SHA256withECDSA", c.getSigAlgName());
        assertEquals(c.getSubjectX500Principal(), c.getIssuerX500Principal());
        c.verify(c.getPublicKey());
        assertEquals(0, c.getBasicConstraints(), "a CA that signs leaves only");
        assertTrue(c.getCriticalExtensionOIDs().contains("2.5.29.19"), "basic constraints are critical");
        assertTrue(c.getKeyUsage()[5], "keyCertSign");
        assertTrue(c.getSubjectX500Principal().getName().contains("CN=bottles egress CA x-12345"));
    }

    @Test
    void validityStartsFiveMinutesEarlyAndLastsNinetyDays() {
        X509Certificate c = CertificateAuthority.mint("v", Fixtures.CLOCK).certificate();
        assertEquals(
                Fixtures.CLOCK.instant().minus(Duration.ofMinutes(5)),
                c.getNotBefore().toInstant());
        assertEquals(
                Fixtures.CLOCK.instant().plus(Duration.ofDays(90)),
                c.getNotAfter().toInstant());
    }

    @Test
    void keyIsWrittenAsSec1PemAndMatchesTheCertificate() throws Exception {
        CertificateAuthority ca = CertificateAuthority.mint("k", Fixtures.CLOCK);
        ca.writeTo(tmp.resolve("ca.pem"), tmp.resolve("ca-key.pem"));
        String keyPem = Files.readString(tmp.resolve("ca-key.pem"));
        assertTrue(keyPem.startsWith("-----BEGIN EC PRIVATE KEY-----"), "SEC1, what Go's ParseECPrivateKey reads");
        assertEquals(
                "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("ca-key.pem"))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("ca.pem"))));

        PEMKeyPair parsed;
        try (PEMParser p = new PEMParser(new StringReader(keyPem))) {
            parsed = (PEMKeyPair) p.readObject();
        }
        ECPrivateKey.getInstance(parsed.getPrivateKeyInfo().parsePrivateKey());
        var pair = new JcaPEMKeyConverter().getKeyPair(parsed);
        byte[] data = "proof of possession".getBytes();
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(pair.getPrivate());
        s.update(data);
        byte[] sig = s.sign();
        s.initVerify(ca.certificate().getPublicKey());
        s.update(data);
        assertTrue(s.verify(sig), "the written key belongs to the written certificate");
        assertArrayEquals(
                ca.certificate().getPublicKey().getEncoded(), pair.getPublic().getEncoded());
    }

    @Test
    void everyMintIsFresh() {
        CertificateAuthority a = CertificateAuthority.mint("same", Fixtures.CLOCK);
        CertificateAuthority b = CertificateAuthority.mint("same", Fixtures.CLOCK);
        assertNotEquals(a.certificate().getSerialNumber(), b.certificate().getSerialNumber());
        assertNotEquals(a.certificatePem(), b.certificatePem());
        assertTrue(!a.toString().contains("PRIVATE"), a.toString());
    }

    @Test
    void aWrittenCaLoadsBackAndIssuesLeavesThatChainToIt() throws Exception {
        CertificateAuthority ca = CertificateAuthority.mint("leaf test", Clock.systemUTC());
        Path cert = tmp.resolve("ca.pem");
        Path key = tmp.resolve("ca-key.pem");
        ca.writeTo(cert, key);
        CertificateAuthority loaded = CertificateAuthority.load(cert, key);
        assertEquals(ca.certificate(), loaded.certificate());
        CertificateAuthority.Leaf leaf =
                loaded.issue(List.of("api.example.test", "10.1.2.3"), Duration.ofDays(1), Clock.systemUTC());
        leaf.certificate().verify(ca.certificate().getPublicKey());
        assertEquals(-1, leaf.certificate().getBasicConstraints(), "a leaf is not a CA");
        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), leaf.certificate().getExtendedKeyUsage());
        assertEquals(
                List.of(List.of(2, "api.example.test"), List.of(7, "10.1.2.3")),
                leaf.certificate().getSubjectAlternativeNames().stream()
                        .map(List::copyOf)
                        .toList());
        assertFalse(leaf.certificate().getNotAfter().after(ca.certificate().getNotAfter()));
        assertEquals(2, leaf.chain().length);
        // a JDK trust manager accepts the chain for the name
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ks);
        ((X509TrustManager) tmf.getTrustManagers()[0]).checkServerTrusted(leaf.chain(), "ECDHE_ECDSA");
    }

    @Test
    void loadingSomethingElseNamesTheFile() throws Exception {
        Path junk = tmp.resolve("junk.pem");
        Files.writeString(junk, "not a pem");
        BottleException e = Assertions.assertThrows(BottleException.class, () -> CertificateAuthority.load(junk, junk));
        assertTrue(e.getMessage().startsWith(junk.toString()), e.getMessage());
    }
}
