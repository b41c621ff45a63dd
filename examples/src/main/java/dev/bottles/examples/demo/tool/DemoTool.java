package dev.bottles.examples.demo.tool;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Authenticator;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * The demo's one program, in the demo image:
 * <ul>
 *   <li>{@code serve}: the demo's upstream, HTTP on 80 and HTTPS on 443 (key from
 *       {@code /certs/demo.p12}); answers {@code 200} and prints one line per request with the
 *       SHA-256 fingerprint of any {@code Authorization} it got (never the value);
 *   <li>{@code fetch URL [Name=Value]...}: what the agent does, through {@code HTTPS_PROXY}, trusting
 *       {@code SSL_CERT_FILE}; prints the status and the body.
 * </ul>
 */
public final class DemoTool {
    private DemoTool() {}

    /**
     * Runs {@code serve} or {@code fetch}.
     *
     * @param args the mode and its arguments
     * @throws Exception when serving cannot start
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("serve")) {
            serve();
        } else if (args.length > 1 && args[0].equals("fetch")) {
            // the JDK sends Basic proxy credentials on CONNECT only when Basic is not in this list
            System.setProperty("jdk.http.auth.tunneling.disabledSchemes", "");
            fetch(args);
        } else {
            System.err.println("usage: serve | fetch URL [Name=Value]...");
            System.exit(2);
        }
    }

    private static void serve() throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress(80), 16);
        http.createContext("/", x -> answer(x, "http"));
        http.setExecutor(Executors.newFixedThreadPool(4));
        http.start();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(Path.of("/certs/demo.p12"))) {
            ks.load(in, "demo-store".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "demo-store".toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        HttpsServer https = HttpsServer.create(new InetSocketAddress(443), 16);
        https.setHttpsConfigurator(new HttpsConfigurator(ssl));
        https.createContext("/", x -> answer(x, "https"));
        https.setExecutor(Executors.newFixedThreadPool(4));
        https.start();
        System.out.println("demo upstream ready");
    }

    private static void answer(HttpExchange x, String scheme) throws IOException {
        try (InputStream in = x.getRequestBody()) {
            in.readAllBytes();
        }
        String auth = x.getRequestHeaders().getFirst("Authorization");
        System.out.println("seen " + scheme + " " + x.getRequestHeaders().getFirst("Host") + " " + x.getRequestMethod()
                + " " + x.getRequestURI() + " auth=" + (auth == null ? "none" : fingerprint(auth)));
        byte[] b =
                ("hello from the demo upstream (" + x.getRequestURI().getPath() + ")").getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(200, b.length);
        try (OutputStream os = x.getResponseBody()) {
            os.write(b);
        }
    }

    /**
     * Returns the first 16 hex digits of the SHA-256 of a header value.
     *
     * @param value e.g. {@code Bearer abc}
     * @return the fingerprint
     */
    public static String fingerprint(String value) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)))
                    .substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void fetch(String[] args) throws Exception {
        URI proxy = URI.create(System.getenv("HTTPS_PROXY"));
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int n = 0;
        try (InputStream in = Files.newInputStream(Path.of(System.getenv("SSL_CERT_FILE")))) {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca" + n++, c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        // the proxy URL carries the bottle's credential as user info; egress asks for it with a 407
        String[] user = String.valueOf(proxy.getRawUserInfo()).split(":", 2);
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(ssl)
                .proxy(ProxySelector.of(new InetSocketAddress(proxy.getHost(), proxy.getPort())))
                .authenticator(new Authenticator() {
                    @Override
                    protected @Nullable PasswordAuthentication getPasswordAuthentication() {
                        return getRequestorType() == RequestorType.PROXY && user.length == 2
                                ? new PasswordAuthentication(user[0], user[1].toCharArray())
                                : null;
                    }
                })
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(args[1])).timeout(Duration.ofSeconds(20));
        for (int i = 2; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            req.header(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        try {
            HttpResponse<String> r = client.send(req.build(), HttpResponse.BodyHandlers.ofString());
            System.out.println(r.statusCode() + " " + r.body().strip());
        } catch (IOException e) {
            // A CONNECT the proxy refused: the JDK reports its status line in the message.
            System.out.println("refused " + e.getMessage());
        }
    }
}
