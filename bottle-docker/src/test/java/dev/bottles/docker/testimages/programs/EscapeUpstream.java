package dev.bottles.docker.testimages.programs;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A test upstream in a container: HTTP on 80, HTTPS on 443 (key and chain from
 * {@code /certs/server.p12}, password {@code test}), and on 8099 {@code GET /seen}, one line per
 * request it served: {@code scheme host method path authorization}. Every request gets
 * {@code 200 upstream ok}.
 */
public final class EscapeUpstream {
    private static final List<String> SEEN = new CopyOnWriteArrayList<>();

    private EscapeUpstream() {}

    /**
     * Serves until killed.
     *
     * @param args ignored
     * @throws Exception when a port cannot be bound or the key store read
     */
    public static void main(String[] args) throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress(80), 64);
        http.createContext("/", x -> serve(x, "http"));
        http.setExecutor(Executors.newCachedThreadPool());
        http.start();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream("/certs/server.p12")) {
            ks.load(in, "test".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "test".toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        HttpsServer https = HttpsServer.create(new InetSocketAddress(443), 64);
        https.setHttpsConfigurator(new HttpsConfigurator(ssl));
        https.createContext("/", x -> serve(x, "https"));
        https.setExecutor(Executors.newCachedThreadPool());
        https.start();
        HttpServer control = HttpServer.create(new InetSocketAddress(8099), 8);
        control.createContext("/seen", x -> {
            byte[] b = String.join("\n", SEEN).getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, b.length == 0 ? -1 : b.length);
            try (OutputStream os = x.getResponseBody()) {
                os.write(b);
            }
        });
        control.start();
        System.out.println("upstream ready");
    }

    private static void serve(HttpExchange x, String scheme) throws IOException {
        try (InputStream in = x.getRequestBody()) {
            in.readAllBytes();
        }
        String auth = x.getRequestHeaders().getFirst("Authorization");
        SEEN.add(scheme + " " + x.getRequestHeaders().getFirst("Host") + " " + x.getRequestMethod() + " "
                + x.getRequestURI() + " " + (auth == null ? "-" : auth.replace(' ', '_')));
        byte[] b = "upstream ok".getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(200, b.length);
        try (OutputStream os = x.getResponseBody()) {
            os.write(b);
        }
    }
}
