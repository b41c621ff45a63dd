package dev.bottles.bundle;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.bottles.sidecars.CertificateAuthority;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A loopback upstream for egress tests: HTTP or HTTPS (with a certificate from a test CA for the
 * names it serves), answering {@code 200 ok <path>} and recording every request it saw.
 */
final class TestUpstream implements AutoCloseable {
    /** One request as the upstream saw it. */
    record Seen(String method, String path, String host, String authorization, String body) {}

    private final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(4);
    final List<Seen> seen = new CopyOnWriteArrayList<>();

    private TestUpstream(HttpServer server) {
        this.server = server;
        server.createContext("/", this::handle);
        server.setExecutor(pool);
        server.start();
    }

    static TestUpstream http() throws IOException {
        return new TestUpstream(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64));
    }

    static TestUpstream https(CertificateAuthority ca, String... hosts) throws Exception {
        CertificateAuthority.Leaf leaf = ca.issue(List.of(hosts), Duration.ofDays(1), Clock.systemUTC());
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("leaf", leaf.privateKey(), new char[0], leaf.chain());
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        s.setHttpsConfigurator(new HttpsConfigurator(ssl));
        return new TestUpstream(s);
    }

    private volatile Duration slow = Duration.ZERO;

    /** Makes the upstream a slow reader: it pauses this long after every read of a request body. */
    void slowDown(Duration pause) {
        slow = pause;
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange x) throws IOException {
        MessageDigest sha = sha256();
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        long length = 0;
        try (InputStream in = x.getRequestBody()) {
            byte[] buf = new byte[65536];
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                if (!slow.isZero()) {
                    try {
                        Thread.sleep(slow.toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException(e);
                    }
                }
                sha.update(buf, 0, n);
                if (kept.size() < KEEP) {
                    kept.write(buf, 0, Math.min(n, KEEP - kept.size()));
                }
                length += n;
            }
        }
        String auth = x.getRequestHeaders().getFirst("Authorization");
        seen.add(new Seen(
                x.getRequestMethod(),
                x.getRequestURI().toString(),
                String.valueOf(x.getRequestHeaders().getFirst("Host")),
                auth == null ? "" : auth,
                kept.toString(StandardCharsets.UTF_8)));
        String path = x.getRequestURI().getPath();
        int big = path.indexOf("/big/");
        if (big >= 0) {
            long n = Long.parseLong(path.substring(big + 5));
            x.sendResponseHeaders(200, n);
            try (OutputStream os = x.getResponseBody()) {
                byte[] chunk = pattern(65536);
                for (long sent = 0; sent < n; sent += chunk.length) {
                    os.write(chunk, 0, (int) Math.min(chunk.length, n - sent));
                }
            }
            return;
        }
        byte[] out = (path.endsWith("/sink")
                        ? "got " + length + " " + HexFormat.of().formatHex(sha.digest())
                        : "ok " + path)
                .getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(200, out.length);
        try (OutputStream os = x.getResponseBody()) {
            os.write(out);
        }
    }

    private static final int KEEP = 1 << 16;

    /** The bytes {@code /big/N} serves, repeated: position modulo 251, so a shifted or lost buffer shows. */
    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i % 251);
        }
        return b;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
