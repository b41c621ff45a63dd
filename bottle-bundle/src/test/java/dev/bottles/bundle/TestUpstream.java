package dev.bottles.bundle;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.bottles.sidecars.CertificateAuthority;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
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

    static TestUpstream https(CertificateAuthority ca, String host) throws Exception {
        CertificateAuthority.Leaf leaf = ca.issue(host, Duration.ofDays(1), Clock.systemUTC());
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

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange x) throws IOException {
        String body;
        try (InputStream in = x.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String auth = x.getRequestHeaders().getFirst("Authorization");
        seen.add(new Seen(x.getRequestMethod(), x.getRequestURI().toString(),
                String.valueOf(x.getRequestHeaders().getFirst("Host")), auth == null ? "" : auth, body));
        byte[] out = ("ok " + x.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(200, out.length);
        try (OutputStream os = x.getResponseBody()) {
            os.write(out);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
