package dev.bottles.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.RouteAuth;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The egress proxy on loopback, against loopback upstreams: policy, injection, fronting, bad input, reload. */
class EgressProxyTest {
    @TempDir
    Path dir;

    EgressFixture fx;
    HttpClient client;

    @BeforeEach
    void start() throws Exception {
        fx = new EgressFixture(dir, b -> b.headTimeout(Duration.ofMillis(800)));
        client = fx.client();
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    private HttpResponse<String> get(String url, String... headers) throws Exception {
        HttpRequest.Builder b =
                fx.authorised(HttpRequest.newBuilder(URI.create(url))).timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aHostNotAllowedIsRefusedOverHttpAndConnectAndNothingReachesIt() throws Exception {
        HttpResponse<String> r = get("http://evil.test/steal?x=1");
        assertEquals(403, r.statusCode());
        assertTrue(r.body().startsWith("blocked: host evil.test is not on this bottle's allowlist"), r.body());
        assertTrue(r.body().contains("supervise"), "the body says how to allow it: " + r.body());

        String[] connect = rawConnect("evil.test:443");
        assertTrue(connect[0].startsWith("HTTP/1.1 403"), connect[0]);
        assertTrue(connect[1].startsWith("blocked: host evil.test"), connect[1]);

        IOException e = assertThrows(IOException.class, () -> get("https://evil.test/"));
        assertTrue(String.valueOf(e.getMessage()).contains("403"), e.getMessage());
        assertEquals(List.of(), fx.evil.seen);
        List<Map<String, ?>> d = fx.decisions();
        assertEquals(3, d.size(), d.toString());
        assertTrue(
                d.stream().allMatch(x -> "blocked".equals(x.get("verdict")) && "evil.test".equals(x.get("host"))),
                d.toString());
    }

    @Test
    void anIpLiteralIsNeverAllowedUnlessListed() throws Exception {
        String[] r = rawConnect("127.0.0.1:" + fx.plainTls.port());
        assertTrue(r[0].startsWith("HTTP/1.1 403"), r[0]);
        assertTrue(r[1].startsWith("blocked: host 127.0.0.1"), r[1]);
        assertEquals(403, get("http://127.0.0.1:" + fx.plainHttp.port() + "/").statusCode());
        assertEquals(List.of(), fx.plainHttp.seen);
    }

    @Test
    void anAllowedHostWithoutCredentialIsSplicedUntouched() throws Exception {
        EgressFixture.Curl r = fx.curl("-H", "Authorization: Bearer agents-own", "https://plain.allowed.test/hello");
        assertEquals(200, r.status(), r.body());
        assertEquals("ok /hello", r.body());
        assertEquals(1, fx.plainTls.seen.size());
        assertEquals(
                "Bearer agents-own", fx.plainTls.seen.get(0).authorization(), "a splice never touches the request");
        Map<String, ?> d = fx.decisions().get(0);
        assertEquals("allowed", d.get("verdict"));
        assertEquals("splice", d.get("mode"));
        assertEquals(443, d.get("port"));
    }

    @Test
    void aTunnelWhoseSniNamesAnotherHostIsRefused() throws Exception {
        try (Socket s = new Socket("127.0.0.1", fx.proxy.port())) {
            s.setSoTimeout(5000);
            String status = connectOn(s, "plain.allowed.test:443");
            assertTrue(status.startsWith("HTTP/1.1 200"), status);
            SSLSocket tls = (SSLSocket) fx.agentTls().getSocketFactory().createSocket(s, "evil.test", 443, true);
            SSLParameters p = tls.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName("evil.test")));
            tls.setSSLParameters(p);
            assertThrows(IOException.class, tls::startHandshake);
        }
        assertEquals(List.of(), fx.evil.seen);
        assertEquals(List.of(), fx.plainTls.seen);
        assertTrue(
                fx.decisions().stream()
                        .anyMatch(d -> "blocked".equals(d.get("verdict"))
                                && String.valueOf(d.get("reason")).contains("does not match the CONNECT target")),
                fx.decisions().toString());
    }

    @Test
    void aCredentialRouteGetsTheRealTokenAndTheAgentsIsDropped() throws Exception {
        HttpResponse<String> r = get("https://api.allowed.test/v1/models?q=1", "Authorization", "Bearer fake");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("ok /v1/models", r.body());
        TestUpstream.Seen seen = fx.api.seen.get(0);
        assertEquals("Bearer " + EgressFixture.TOKEN, seen.authorization());
        assertEquals("/v1/models?q=1", seen.path());
        assertEquals("api.allowed.test", seen.host());
        assertEquals("inject", fx.decisions().get(1).get("mode"));
        assertFalse(fx.lines.isEmpty());
        assertTrue(fx.lines.stream().noneMatch(l -> l.contains(EgressFixture.TOKEN)), "the token is never logged");
        // a second request reuses the tunnel and the upstream connection
        assertEquals(
                200,
                get("https://api.allowed.test/v1/other", "Authorization", "Bearer fake")
                        .statusCode());
        assertEquals(2, fx.api.seen.size());
    }

    @Test
    void aPathOutsideTheAllowlistIsRefusedInsideTheTunnel() throws Exception {
        HttpResponse<String> r = get("https://api.allowed.test/admin/keys", "Authorization", "Bearer fake");
        assertEquals(403, r.statusCode());
        assertTrue(r.body().startsWith("blocked: path /admin/keys on api.allowed.test is outside"), r.body());
        assertEquals(List.of(), fx.api.seen);
    }

    @Test
    void aCredentialRouteIsNeverServedOverPlainHttp() throws Exception {
        HttpResponse<String> r = get("http://api.allowed.test/v1/models");
        assertEquals(403, r.statusCode());
        assertTrue(r.body().contains("only over https"), r.body());
        assertEquals(List.of(), fx.api.seen);
    }

    @Test
    void plainHttpToAnAllowedHostIsForwardedInOriginForm() throws Exception {
        HttpResponse<String> r = get("http://plain.allowed.test/a/b?c=d");
        assertEquals(200, r.statusCode());
        assertEquals("ok /a/b", r.body());
        assertEquals("/a/b?c=d", fx.plainHttp.seen.get(0).path());
        assertEquals("plain.allowed.test", fx.plainHttp.seen.get(0).host());
    }

    @Test
    void aHostHeaderNamingAnotherHostIsRefused() throws Exception {
        String r = raw("GET http://plain.allowed.test/ HTTP/1.1\r\nHost: evil.test\r\n\r\n");
        assertTrue(r.startsWith("HTTP/1.1 403"), r);
        assertTrue(r.contains("blocked: Host header evil.test does not match"), r);
        assertEquals(List.of(), fx.plainHttp.seen);
    }

    @Test
    void badInputGetsAClearStatusAndTheProxyKeepsServing() throws Exception {
        assertTrue(raw("NOT A REQUEST\r\n\r\n").startsWith("HTTP/1.1 400"));
        assertTrue(raw("GET http://plain.allowed.test/ HTTP/1.1\r\nX-Big: " + "a".repeat(40_000) + "\r\n\r\n")
                .startsWith("HTTP/1.1 431"));
        assertTrue(raw("GET /relative HTTP/1.1\r\nHost: x\r\n\r\n").startsWith("HTTP/1.1 400"));
        assertTrue(raw("CONNECT nonsense HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 400"));
        assertTrue(raw("CONNECT plain.allowed.test:22 HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 403"));
        long t0 = System.nanoTime();
        try (Socket s = new Socket("127.0.0.1", fx.proxy.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream()
                    .write(("GET http://plain.allowed.test/ HTTP/1.1\r\n" + fx.proxyAuthorizationLine() + "Host: pla")
                            .getBytes(StandardCharsets.US_ASCII));
            String r = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(r.startsWith("HTTP/1.1 408"), "a slow client is cut off: " + r);
        }
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(4).toNanos());
        assertEquals(200, get("http://plain.allowed.test/still").statusCode());
    }

    @Test
    void newRoutesTakeEffectWithoutDroppingOpenTunnels() throws Exception {
        try (Socket s = new Socket("127.0.0.1", fx.proxy.port())) {
            s.setSoTimeout(5000);
            assertTrue(connectOn(s, "plain.allowed.test:443").startsWith("HTTP/1.1 200"));
            SSLSocket tls =
                    (SSLSocket) fx.agentTls().getSocketFactory().createSocket(s, "plain.allowed.test", 443, true);
            tls.startHandshake();
            assertTrue(httpOver(tls, "/before").startsWith("HTTP/1.1 200"));

            assertEquals(403, get("http://evil.test/").statusCode());
            fx.writeRoutes(List.of(
                    new EgressRoute("api.allowed.test", List.of("/v1/"), RouteAuth.bearer("TEST_TOKEN"), null),
                    EgressRoute.to("plain.allowed.test"),
                    EgressRoute.to("evil.test")));
            assertTrue(fx.proxy.reloadRoutes()
                    || fx.events.stream().anyMatch(e -> "routes-reloaded".equals(e.get("event"))));
            assertEquals(200, get("https://evil.test/now").statusCode());
            assertTrue(httpOver(tls, "/after").startsWith("HTTP/1.1 200"), "the open tunnel survived the reload");
        }
        assertEquals(
                List.of("/before", "/after"),
                fx.plainTls.seen.stream().map(TestUpstream.Seen::path).toList());
    }

    @Test
    void aMalformedRoutesFileKeepsThePreviousPolicy() throws Exception {
        Files.writeString(dir.resolve("routes.yaml"), "version: 1\nroutes: [{nope: 1}]\n");
        assertFalse(fx.proxy.reloadRoutes());
        assertEquals(200, get("http://plain.allowed.test/").statusCode());
        assertTrue(fx.events.stream().anyMatch(e -> "routes-reload-failed".equals(e.get("event"))));
    }

    @Test
    void anUnreachableUpstreamIsABadGateway() throws Exception {
        fx.plainHttp.close();
        HttpResponse<String> r = get("http://plain.allowed.test/");
        assertEquals(502, r.statusCode());
        assertTrue(r.body().startsWith("egress: cannot reach plain.allowed.test:80"), r.body());
    }

    @Test
    void upstreamsGoThroughTheUpstreamProxyWhenOneIsSet() throws Exception {
        Path second = dir.resolve("chained");
        Path third = dir.resolve("last");
        Files.createDirectories(second);
        Files.createDirectories(third);
        // the last hop stands in for pipelock, which listens only on the bundle's loopback and takes no credential
        try (EgressFixture last = new EgressFixture(third, b -> b.accessToken(null));
                EgressFixture front = new EgressFixture(
                        second, b -> b.upstreamProxy(new InetSocketAddress("127.0.0.1", last.proxy.port())))) {
            EgressFixture fx = last;
            HttpClient c = last.client(front.proxy.port(), EgressFixture.ACCESS); // spliced: the last hop's upstream CA
            HttpResponse<String> r = c.send(
                    front.authorised(HttpRequest.newBuilder(URI.create("http://plain.allowed.test/via")))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("/via", fx.plainHttp.seen.get(0).path(), "the last hop's upstream got it");
            assertEquals(List.of(), front.plainHttp.seen, "the first hop did not dial directly");
            assertTrue(
                    fx.decisions().stream()
                            .anyMatch(d -> "GET".equals(d.get("method")) && "plain.allowed.test".equals(d.get("host"))),
                    "plain http goes to the last hop in absolute form");

            try {
                r = c.send(
                        front.authorised(HttpRequest.newBuilder(URI.create("https://plain.allowed.test/tls")))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new AssertionError("front: " + front.lines + "\nback: " + fx.lines, e);
            }
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("/tls", fx.plainTls.seen.get(0).path());
            assertEquals(List.of(), front.plainTls.seen);
            assertTrue(
                    fx.decisions().stream()
                            .anyMatch(d ->
                                    "CONNECT".equals(d.get("method")) && "plain.allowed.test".equals(d.get("host"))),
                    "the first hop tunnelled through the second");
        }
    }

    @Test
    void closingStopsEveryThread() throws Exception {
        assertEquals(200, get("http://plain.allowed.test/").statusCode());
        fx.proxy.close();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (Thread.getAllStackTraces().keySet().stream()
                        .anyMatch(t -> t.getName().startsWith("egress"))
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(
                List.of(),
                Thread.getAllStackTraces().keySet().stream()
                        .map(Thread::getName)
                        .filter(n -> n.startsWith("egress"))
                        .toList());
    }

    private String[] rawConnect(String target) throws IOException {
        try (Socket s = new Socket("127.0.0.1", fx.proxy.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream()
                    .write(("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n" + fx.proxyAuthorizationLine()
                                    + "\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int split = all.indexOf("\r\n\r\n");
            return new String[] {all.substring(0, split), all.substring(split + 4)};
        }
    }

    private String connectOn(Socket s, String target) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n" + fx.proxyAuthorizationLine() + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        return EgressFixture.readHead(s.getInputStream());
    }

    private static String httpOver(SSLSocket tls, String path) throws IOException {
        tls.getOutputStream()
                .write(("GET " + path + " HTTP/1.1\r\nHost: plain.allowed.test\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
        BufferedReader r = new BufferedReader(new InputStreamReader(tls.getInputStream(), StandardCharsets.US_ASCII));
        String status = r.readLine();
        int len = 0;
        for (String l = r.readLine(); l != null && !l.isEmpty(); l = r.readLine()) {
            if (l.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                len = Integer.parseInt(l.substring(15).strip());
            }
        }
        r.read(new char[len]);
        return status;
    }

    /** Sends a raw request with the agent's Proxy-Authorization added after its request line. */
    private String raw(String request) throws IOException {
        int eol = request.indexOf("\r\n");
        return rawAsIs(
                eol < 0
                        ? request
                        : request.substring(0, eol + 2) + fx.proxyAuthorizationLine() + request.substring(eol + 2));
    }

    private String rawAsIs(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", fx.proxy.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
