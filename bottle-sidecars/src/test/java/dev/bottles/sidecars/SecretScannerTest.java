package dev.bottles.sidecars;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The one rule set egress and the git gate scan with: every form, every alignment, across pieces. */
class SecretScannerTest {
    private static final String SECRET = "s3cr3t-Value_with/odd+chars=";
    private final SecretScanner scanner = SecretScanner.of(Map.of("API_KEY", SECRET));

    @Test
    void findsTheSecretInEveryFormAndAtEveryBase64Alignment() {
        byte[] v = SECRET.getBytes(StandardCharsets.UTF_8);
        assertEquals("API_KEY", scanner.find("x=" + SECRET + "&y"));
        assertEquals("API_KEY (hex)", scanner.find("id " + HexFormat.of().formatHex(v)));
        assertEquals(
                "API_KEY (hex)",
                scanner.find("id " + HexFormat.of().withUpperCase().formatHex(v)));
        for (String prefix : List.of("", "a", "ab", "abc", "user:")) {
            byte[] joined = (prefix + SECRET + "!").getBytes(StandardCharsets.UTF_8);
            assertEquals(
                    "API_KEY (base64)",
                    scanner.find("Basic " + Base64.getEncoder().encodeToString(joined)),
                    prefix);
            assertEquals(
                    "API_KEY (base64)",
                    scanner.find(Base64.getUrlEncoder().withoutPadding().encodeToString(joined)),
                    prefix);
        }
        String once = URLEncoder.encode(SECRET, StandardCharsets.UTF_8);
        assertEquals("API_KEY (percent-encoded)", scanner.find("q=" + once));
        assertEquals("API_KEY (percent-encoded)", scanner.find("q=" + URLEncoder.encode(once, StandardCharsets.UTF_8)));
        StringBuilder every = new StringBuilder();
        for (byte b : v) {
            every.append(String.format("%%%02x", b));
        }
        assertEquals("API_KEY (percent-encoded)", scanner.find(every));
        String b64 = scanner.find(URLEncoder.encode(Base64.getEncoder().encodeToString(v), StandardCharsets.UTF_8));
        assertNotNull(b64);
        assertEquals("API_KEY (base64", b64.substring(0, 15));
        assertNull(scanner.find("nothing here " + SECRET.substring(0, SECRET.length() - 1)));
    }

    @Test
    void findsTokenShapesAndNotTheirLookalikes() {
        SecretScanner shapes = SecretScanner.shapesOnly();
        assertEquals("rule github-token", shapes.find("t=ghp_" + "a1B2".repeat(9)));
        assertEquals("rule github-pat", shapes.find("github_pat_" + "x".repeat(40)));
        assertEquals("rule aws-access-key", shapes.find("AKIAABCDEFGHIJKLMNOP"));
        assertEquals("rule api-key", shapes.find("sk-ant-" + "k".repeat(40)));
        assertEquals("rule private-key", shapes.find("-----BEGIN OPENSSH PRIVATE KEY-----\n"));
        assertEquals("rule slack-token", shapes.find("xoxb-1234567890-abc"));
        assertNull(shapes.find("ghp_short and sk-short and AKIA1 and -----BEGIN CERTIFICATE-----"));
    }

    @Test
    void shortValuesAreNotLookedForAndCarriedOnesAreLeftOut() {
        SecretScanner s = SecretScanner.of(Map.of("PIN", "1234", "TOKEN", "tok-0123456789"));
        assertNull(s.find("pin 1234"));
        assertEquals("TOKEN", s.find("tok-0123456789"));
        assertNull(s.without(List.of("TOKEN")).find("tok-0123456789"));
        assertSame(s, s.without(List.of("OTHER")));
    }

    /** Random bodies cut into random pieces: the secret is found wherever it falls, and clean bytes come out whole. */
    @Test
    void aStreamFindsASecretAcrossPiecesAndPassesCleanBytesUnchanged() {
        Random rnd = new Random(7);
        for (int round = 0; round < 300; round++) {
            byte[] body = new byte[rnd.nextInt(20_000) + 100];
            for (int i = 0; i < body.length; i++) {
                body[i] = (byte) ('a' + rnd.nextInt(26));
            }
            boolean plant = rnd.nextBoolean();
            String form = List.of(
                            SECRET,
                            HexFormat.of().formatHex(SECRET.getBytes(StandardCharsets.UTF_8)),
                            Base64.getEncoder().encodeToString(("." + SECRET).getBytes(StandardCharsets.UTF_8)),
                            URLEncoder.encode(SECRET, StandardCharsets.UTF_8))
                    .get(rnd.nextInt(4));
            if (plant) {
                byte[] f = form.getBytes(StandardCharsets.UTF_8);
                int at = rnd.nextInt(body.length - 1);
                byte[] b = new byte[body.length + f.length];
                System.arraycopy(body, 0, b, 0, at);
                System.arraycopy(f, 0, b, at, f.length);
                System.arraycopy(body, at, b, at + f.length, body.length - at);
                body = b;
            }
            SecretScanner.Stream stream = scanner.stream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            boolean found = false;
            for (int off = 0; off < body.length && !found; ) {
                int n = Math.min(body.length - off, 1 + rnd.nextInt(3000));
                byte[] piece = Arrays.copyOfRange(body, off, off + n);
                off += n;
                if (!stream.next(piece, off == body.length)) {
                    found = true;
                    assertNotNull(stream.finding());
                } else {
                    out.writeBytes(stream.released());
                    out.write(piece, 0, stream.safeLength());
                    assertEquals(
                            -1,
                            indexOf(out.toByteArray(), form.getBytes(StandardCharsets.UTF_8)),
                            "no complete secret was ever let out");
                }
            }
            assertEquals(plant, found, "round " + round + " form " + form);
            if (!plant) {
                assertArrayEquals(body, out.toByteArray());
            }
        }
    }

    @Test
    void aSecretWithASpaceIsFoundFormEncoded() {
        SecretScanner s = SecretScanner.of(Map.of("PASS", "correct horse battery"));
        assertEquals("PASS (percent-encoded)", s.find("p=correct+horse+battery&x=1"));
    }

    /** The benchmark's floor: 1 MiB of random bytes and 1 MiB of JSON, each scanned in one piece. */
    @Test
    void scansAMebibyteQuickly() {
        byte[] random = new byte[1 << 20];
        new Random(1).nextBytes(random);
        StringBuilder json = new StringBuilder();
        while (json.length() < (1 << 20)) {
            json.append("{\"name\":\"item-")
                    .append(json.length())
                    .append("\",\"url\":\"https://example.com/a%20b?x=1\"},");
        }
        time("random bytes", random);
        time("JSON", json.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void time(String what, byte[] body) {
        for (int i = 0; i < 20; i++) {
            scanner.find(body, 0, body.length);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            assertNull(scanner.find(body, 0, body.length));
        }
        long perMib = (System.nanoTime() - t0) / 20;
        System.out.println("SecretScanner: " + perMib / 1000 + " us per MiB of " + what);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (hay[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
