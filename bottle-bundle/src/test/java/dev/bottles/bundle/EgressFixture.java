package dev.bottles.bundle;

import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.RouteAuth;
import dev.bottles.sidecars.CertificateAuthority;
import dev.bottles.sidecars.EgressConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Authenticator;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * An egress proxy on loopback with the names tests use mapped to loopback upstreams:
 * {@code api.allowed.test} is a credential route (Bearer from {@code TEST_TOKEN}, paths under
 * {@code /v1/}) on an HTTPS upstream, {@code plain.allowed.test} an allowed host on HTTPS (443) and
 * HTTP (80), {@code evil.test} a host that is never allowed but has an upstream, so a test can
 * prove nothing reached it.
 */
final class EgressFixture implements AutoCloseable {
    static final String TOKEN = "real-secret-value-0123456789";
    /** The bottle's access credential clients send as Proxy-Authorization. */
    static final String ACCESS = "bottle-access-credential-0123456789abcdef";
    /** A forwarded secret the agent could read, which no request may carry. */
    static final String AGENT_SECRET = "agent-readable-secret-Zq8vN3xK";

    final Path dir;
    final CertificateAuthority egressCa;
    final CertificateAuthority upstreamCa;
    final TestUpstream api;
    final TestUpstream plainTls;
    final TestUpstream plainHttp;
    final TestUpstream evil;
    final List<Map<String, ?>> events = new CopyOnWriteArrayList<>();
    final List<String> lines = new CopyOnWriteArrayList<>();
    final EgressProxy proxy;

    EgressFixture(Path dir, Consumer<EgressOptions.Builder> tweak) throws Exception {
        this.dir = dir;
        egressCa = CertificateAuthority.mint("test egress CA", Clock.systemUTC());
        egressCa.writeTo(dir.resolve("ca.pem"), dir.resolve("ca-key.pem"));
        upstreamCa = CertificateAuthority.mint("test upstream CA", Clock.systemUTC());
        Files.writeString(dir.resolve("extra-ca.pem"), upstreamCa.certificatePem());
        writeRoutes(List.of(
                new EgressRoute("api.allowed.test", List.of("/v1/"), RouteAuth.bearer("TEST_TOKEN"), null),
                EgressRoute.to("plain.allowed.test").passthrough(),
                EgressRoute.to("open.allowed.test"),
                EgressRoute.to("carrier.allowed.test").carrying("AGENT_SECRET")));
        api = TestUpstream.https(upstreamCa, "api.allowed.test");
        plainTls = TestUpstream.https(upstreamCa, "plain.allowed.test", "open.allowed.test", "carrier.allowed.test");
        plainHttp = TestUpstream.http();
        evil = TestUpstream.https(upstreamCa, "evil.test");
        BundleLog json = BundleLog.jsonLines(
                new PrintStream(
                        new OutputStream() {
                            private final StringBuilder sb = new StringBuilder();

                            @Override
                            public void write(int b) {
                                if (b == '\n') {
                                    lines.add(sb.toString());
                                    sb.setLength(0);
                                } else {
                                    sb.append((char) b);
                                }
                            }
                        },
                        true),
                "test-bottle",
                Clock.systemUTC());
        EgressOptions.Builder b = EgressOptions.builder(
                        dir.resolve("routes.yaml"), dir.resolve("ca.pem"), dir.resolve("ca-key.pem"))
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .extraAnchors(List.of(dir.resolve("extra-ca.pem")))
                .tokens(n -> n.equals("TEST_TOKEN") ? TOKEN : null)
                .secrets(Map.of("AGENT_SECRET", AGENT_SECRET))
                .accessToken(ACCESS)
                .resolver(this::resolve)
                .reloadInterval(Duration.ofMillis(100))
                .log((daemon, event, fields) -> {
                    events.add(Map.copyOf(withEvent(event, fields)));
                    json.event(daemon, event, fields);
                });
        tweak.accept(b);
        proxy = EgressProxy.start(b.build());
    }

    private static Map<String, Object> withEvent(String event, Map<String, ?> fields) {
        Map<String, Object> m = new HashMap<>();
        fields.forEach((k, v) -> m.put(k, v == null ? "null" : v));
        m.put("event", event);
        return m;
    }

    InetSocketAddress resolve(String host, int port) {
        TestUpstream u = switch (host) {
            case "api.allowed.test" -> api;
            case "plain.allowed.test", "carrier.allowed.test" -> port == 80 ? plainHttp : plainTls;
            case "open.allowed.test" -> plainTls;
            case "evil.test" -> evil;
            default -> null;
        };
        return u == null
                ? InetSocketAddress.createUnresolved(host, port)
                : new InetSocketAddress("127.0.0.1", u.port());
    }

    void writeRoutes(List<EgressRoute> routes) throws Exception {
        Path tmp = dir.resolve("routes.yaml.tmp");
        Files.writeString(tmp, new EgressConfig(List.of("statsig.anthropic.com"), routes).render("test-bottle"));
        Files.move(
                tmp, dir.resolve("routes.yaml"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** A client SSL context trusting the egress CA (terminated routes) and the upstream CA (spliced ones). */
    SSLContext agentTls() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("egress", egressCa.certificate());
        ks.setCertificateEntry("upstream", upstreamCa.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, tmf.getTrustManagers(), null);
        return c;
    }

    /** The Proxy-Authorization value of the bottle's agent. */
    static String proxyAuthorization() {
        return "Basic " + Base64.getEncoder().encodeToString(("bottle:" + ACCESS).getBytes(StandardCharsets.UTF_8));
    }

    /** The header line, CRLF-terminated, for raw requests. */
    String proxyAuthorizationLine() {
        return "Proxy-Authorization: " + proxyAuthorization() + "\r\n";
    }

    /**
     * A JDK client set up as the bottle's agent: egress as proxy, its credential answered to the 407
     * challenge, the agent's trust.
     */
    HttpClient client() throws Exception {
        return client(proxy.port(), ACCESS);
    }

    HttpClient client(int port, String credential) throws Exception {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", port)))
                .authenticator(new Authenticator() {
                    @Override
                    protected PasswordAuthentication getPasswordAuthentication() {
                        return getRequestorType() == RequestorType.PROXY
                                ? new PasswordAuthentication("bottle", credential.toCharArray())
                                : null;
                    }
                })
                .sslContext(agentTls())
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /**
     * Reads a response or request head, up to and including the blank line.
     *
     * @param in the stream
     * @return the head
     */
    static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }

    /** What curl printed: the body, then the status on the last line. */
    record Curl(int status, String body) {}

    /**
     * Runs stock {@code curl} as the bottle's agent would: the proxy from {@code HTTPS_PROXY} and
     * {@code HTTP_PROXY} with the credential in the URL (never on curl's argv), the agent's trust.
     *
     * @param args curl's arguments after its own (headers, the URL)
     */
    Curl curl(String... args) throws Exception {
        Path trust = dir.resolve("agent-trust.pem");
        if (!Files.exists(trust)) {
            Files.writeString(trust, egressCa.certificatePem() + upstreamCa.certificatePem());
        }
        List<String> cmd = new ArrayList<>(
                List.of("curl", "-sS", "--max-time", "60", "--cacert", trust.toString(), "-w", "\n%{http_code}"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        String url = "http://bottle:" + ACCESS + "@127.0.0.1:" + proxy.port();
        pb.environment().put("HTTPS_PROXY", url);
        pb.environment().put("http_proxy", url);
        pb.environment().remove("NO_PROXY");
        pb.environment().remove("no_proxy");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        int nl = out.lastIndexOf('\n');
        return new Curl(Integer.parseInt(out.substring(nl + 1).strip()), out.substring(0, Math.max(nl, 0)));
    }

    /** Adds the agent's Proxy-Authorization to a JDK request (the JDK sends it on CONNECT too). */
    HttpRequest.Builder authorised(HttpRequest.Builder b) {
        return b.header("Proxy-Authorization", proxyAuthorization());
    }

    List<Map<String, ?>> decisions() {
        return events.stream().filter(e -> "decision".equals(e.get("event"))).toList();
    }

    @Override
    public void close() {
        proxy.close();
        api.close();
        plainTls.close();
        plainHttp.close();
        evil.close();
    }
}
