package dev.bottles.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Large bodies both ways through every kind of tunnel, with fast and slow readers: a relay that
 * loses a writability change stalls at the first high-water mark (64 KiB), so the sizes straddle
 * it, and 100 MiB proves the whole path keeps moving.
 */
class LargeBodyTest {
    private static final long HUNDRED_MIB = 100L << 20;

    @TempDir
    Path dir;

    EgressFixture fx;
    HttpClient client;

    @BeforeEach
    void start() throws Exception {
        fx = new EgressFixture(dir, b -> {});
        client = fx.client();
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    @ParameterizedTest(name = "download {0}")
    @CsvSource({
        "https://plain.allowed.test/big/",
        "https://api.allowed.test/v1/big/",
        "https://open.allowed.test/big/",
        "http://plain.allowed.test/big/"
    })
    void a100MibDownloadArrivesWholeThroughEveryKindOfRoute(String base) throws Exception {
        HttpResponse<InputStream> r = client.send(
                fx.authorised(HttpRequest.newBuilder(URI.create(base + HUNDRED_MIB)))
                        .timeout(Duration.ofSeconds(120))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        try (InputStream in = r.body()) {
            assertEquals(expected(HUNDRED_MIB), digest(in, 0));
        }
    }

    @ParameterizedTest(name = "upload {0}")
    @CsvSource({
        "https://plain.allowed.test/sink",
        "https://api.allowed.test/v1/sink",
        "https://open.allowed.test/sink",
        "http://plain.allowed.test/sink"
    })
    void a100MibUploadArrivesWholeThroughEveryKindOfRoute(String url) throws Exception {
        HttpResponse<String> r = client.send(
                fx.authorised(HttpRequest.newBuilder(URI.create(url)))
                        .timeout(Duration.ofSeconds(120))
                        .POST(patternBody(HUNDRED_MIB))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("got " + HUNDRED_MIB + " " + expected(HUNDRED_MIB), r.body());
    }

    @ParameterizedTest(name = "slow reader, {1} bytes from {0}")
    @CsvSource({
        "plain.allowed.test,65535",
        "plain.allowed.test,65536",
        "plain.allowed.test,65537",
        "plain.allowed.test,98270",
        "plain.allowed.test,4194305",
        "api.allowed.test,65537",
        "api.allowed.test,4194305",
        "open.allowed.test,98270",
        "open.allowed.test,4194305"
    })
    void aSlowReaderGetsEveryByteAroundTheHighWaterMarks(String host, long size) throws Exception {
        String path = (host.startsWith("api.") ? "/v1" : "") + "/big/" + size;
        try (Socket s = new Socket("127.0.0.1", fx.proxy.port())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(("CONNECT " + host + ":443 HTTP/1.1\r\nHost: " + host + ":443\r\n" + fx.proxyAuthorizationLine()
                            + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String head = EgressFixture.readHead(s.getInputStream());
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            SSLSocket tls = (SSLSocket) fx.agentTls().getSocketFactory().createSocket(s, host, 443, true);
            tls.getOutputStream()
                    .write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            InputStream in = tls.getInputStream();
            String response = EgressFixture.readHead(in);
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            assertEquals(expected(size), digest(in, size, 1));
        }
    }

    @Test
    void aSlowUpstreamReaderStillGetsAWhole32MibUpload() throws Exception {
        long size = 32L << 20;
        fx.plainTls.slowDown(Duration.ofMillis(1));
        HttpResponse<String> r = client.send(
                fx.authorised(HttpRequest.newBuilder(URI.create("https://plain.allowed.test/sink")))
                        .timeout(Duration.ofSeconds(120))
                        .POST(patternBody(size))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("got " + size + " " + expected(size), r.body());
    }

    /** The digest of what the test upstream serves for {@code /big/N} (and what tests upload). */
    static String expected(long n) {
        MessageDigest sha = TestUpstream.sha256();
        byte[] chunk = TestUpstream.pattern(65536);
        for (long done = 0; done < n; done += chunk.length) {
            sha.update(chunk, 0, (int) Math.min(chunk.length, n - done));
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static String digest(InputStream in, long limit, long pauseMillisEvery64k) throws Exception {
        MessageDigest sha = TestUpstream.sha256();
        byte[] buf = new byte[8192];
        long total = 0;
        long sinceNap = 0;
        while (limit <= 0 || total < limit) {
            int n = in.read(buf, 0, limit <= 0 ? buf.length : (int) Math.min(buf.length, limit - total));
            if (n < 0) {
                break;
            }
            sha.update(buf, 0, n);
            total += n;
            sinceNap += n;
            if (pauseMillisEvery64k > 0 && sinceNap >= 65536) {
                Thread.sleep(pauseMillisEvery64k);
                sinceNap = 0;
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static String digest(InputStream in, long limit) throws Exception {
        return digest(in, limit, 0);
    }

    private static HttpRequest.BodyPublisher patternBody(long n) {
        byte[] chunk = TestUpstream.pattern(65536);
        return HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofInputStream(() -> new InputStream() {
                    private long pos;

                    @Override
                    public int read() {
                        byte[] one = new byte[1];
                        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) {
                        if (pos >= n) {
                            return -1;
                        }
                        int at = (int) (pos % chunk.length);
                        int k = (int) Math.min(Math.min(len, chunk.length - at), n - pos);
                        System.arraycopy(chunk, at, b, off, k);
                        pos += k;
                        return k;
                    }
                }),
                n);
    }
}
