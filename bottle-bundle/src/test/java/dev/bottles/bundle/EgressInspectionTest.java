package dev.bottles.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What egress inspects, with stock curl as the agent: paths decided in their canonical form inside
 * a credential tunnel, the bottle's secrets refused in every part of a request over plain http,
 * inspected TLS and credential routes, a route that carries a secret, the proxy credential, and
 * pipelined requests answered in order.
 */
class EgressInspectionTest {
    @TempDir
    Path dir;

    EgressFixture fx;

    @BeforeEach
    void start() throws Exception {
        fx = new EgressFixture(dir, b -> {});
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/v1/../admin/keys",
                "/v1/%2e%2e/admin/keys",
                "/v1/%2E%2E/admin/keys",
                "/v1/..%2fadmin/keys",
                "/v1/%2F..%2Fadmin/keys",
                "/v1/;x/../../admin/keys",
                "/v1/..;/admin/keys",
                "/v1/%252e%252e/admin/keys",
                "/v1/%c0%ae%c0%ae/admin/keys",
                "/v1//../../admin/keys",
                "/v1/%5c../admin/keys"
            })
    void aPathAllowlistCannotBeWalkedAroundInsideACredentialTunnel(String path) throws Exception {
        EgressFixture.Curl r = fx.curl("--path-as-is", "https://api.allowed.test" + path);
        assertEquals(403, r.status(), path + ": " + r.body());
        assertTrue(r.body().startsWith("blocked: "), r.body());
        assertEquals(List.of(), fx.api.seen, "nothing reached the upstream, with or without the token");
    }

    @Test
    void aCanonicalisedPathIsForwardedInTheSpellingThatWasDecided() throws Exception {
        EgressFixture.Curl r = fx.curl("--path-as-is", "https://api.allowed.test/v1/a/./b/../%63?x=%2F..");
        assertEquals(200, r.status(), r.body());
        assertEquals("/v1/a/c?x=%2F..", fx.api.seen.get(0).path());
    }

    @Test
    void anAbsoluteFormTargetInsideATunnelIsRefused() throws Exception {
        try (Socket s = new Socket("127.0.0.1", fx.proxy.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream()
                    .write(("CONNECT api.allowed.test:443 HTTP/1.1\r\nHost: api.allowed.test:443\r\n"
                                    + fx.proxyAuthorizationLine() + "\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            assertTrue(EgressFixture.readHead(s.getInputStream()).startsWith("HTTP/1.1 200"));
            SSLSocket tls = (SSLSocket) fx.agentTls().getSocketFactory().createSocket(s, "api.allowed.test", 443, true);
            tls.getOutputStream()
                    .write("GET https://api.allowed.test/v1/../admin HTTP/1.1\r\nHost: api.allowed.test\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
            String h = EgressFixture.readHead(tls.getInputStream());
            assertTrue(h.startsWith("HTTP/1.1 403"), h);
        }
        assertEquals(List.of(), fx.api.seen);
    }

    /** Every part of a request, and every form of the secret: each is refused over plain http. */
    @ParameterizedTest
    @ValueSource(strings = {"path", "query", "header", "cookie", "body", "form"})
    void aSecretInAnyPartOfAPlainHttpRequestIsRefused(String part) throws Exception {
        for (String form : forms(EgressFixture.AGENT_SECRET)) {
            EgressFixture.Curl r = fx.curl(leak(part, form, "http://plain.allowed.test"));
            assertEquals(403, r.status(), part + " " + form + ": " + r.body());
            assertTrue(r.body().startsWith("blocked: request "), r.body());
            // a path holding an encoded % is refused before any scan: an upstream could decode it twice
            assertTrue(
                    r.body().contains("contains secret AGENT_SECRET")
                            || part.equals("path") && r.body().contains("encoded %"),
                    r.body());
        }
        assertEquals(List.of(), fx.plainHttp.seen);
        assertTrue(
                fx.lines.stream().noneMatch(l -> l.contains(EgressFixture.AGENT_SECRET)), "the value is never logged");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://open.allowed.test", "https://api.allowed.test/v1"})
    void aSecretIsRefusedInsideInspectedTlsAndCredentialRoutes(String base) throws Exception {
        for (String part : List.of("path", "query", "header", "cookie", "body")) {
            EgressFixture.Curl r = fx.curl(leak(
                    part,
                    Base64.getEncoder()
                            .encodeToString(("user:" + EgressFixture.AGENT_SECRET).getBytes(StandardCharsets.UTF_8)),
                    base));
            assertEquals(403, r.status(), part + ": " + r.body());
            assertTrue(r.body().contains("contains secret AGENT_SECRET (base64)"), r.body());
        }
        assertEquals(List.of(), fx.api.seen);
        assertEquals(List.of(), fx.plainTls.seen);
    }

    @Test
    void aRouteThatCarriesASecretMaySendItAndOnlyThatRoute() throws Exception {
        EgressFixture.Curl r =
                fx.curl("-H", "X-Token: " + EgressFixture.AGENT_SECRET, "https://carrier.allowed.test/ok");
        assertEquals(200, r.status(), r.body());
        assertEquals(
                403,
                fx.curl("-H", "X-Token: " + EgressFixture.AGENT_SECRET, "https://open.allowed.test/no")
                        .status());
        assertEquals(1, fx.plainTls.seen.size());
    }

    @Test
    void aRouteTokenAndWellKnownTokenShapesAreRefusedToo() throws Exception {
        EgressFixture.Curl token = fx.curl("-d", "t=" + EgressFixture.TOKEN, "https://open.allowed.test/post");
        assertTrue(token.body().contains("contains secret TEST_TOKEN"), token.body());
        String ghp = "ghp_" + "aB3".repeat(12);
        EgressFixture.Curl shape = fx.curl("-d", "{\"k\":\"" + ghp + "\"}", "https://open.allowed.test/post");
        assertEquals(403, shape.status());
        assertTrue(shape.body().contains("contains secret rule github-token"), shape.body());
        assertEquals(List.of(), fx.plainTls.seen);
    }

    @Test
    void aPassthroughRouteIsNotInspectedAndTheDecisionSaysSo() throws Exception {
        EgressFixture.Curl r =
                fx.curl("-H", "X-Token: " + EgressFixture.AGENT_SECRET, "https://plain.allowed.test/pinned");
        assertEquals(200, r.status(), r.body());
        assertEquals("splice", fx.decisions().get(0).get("mode"));
    }

    @Test
    void aSecretDeepInALargeBodyStopsTheRequestBeforeTheUpstreamHasIt() throws Exception {
        Path body = dir.resolve("big-body");
        byte[] filler = TestUpstream.pattern(1 << 20);
        try (OutputStream out = Files.newOutputStream(body)) {
            for (int i = 0; i < 8; i++) {
                out.write(filler);
            }
            out.write(EgressFixture.AGENT_SECRET.getBytes(StandardCharsets.UTF_8));
            out.write(filler);
        }
        EgressFixture.Curl r = fx.curl("--data-binary", "@" + body, "https://api.allowed.test/v1/sink");
        assertEquals(403, r.status(), r.body());
        assertTrue(r.body().contains("request body contains secret AGENT_SECRET"), r.body());
        Thread.sleep(200);
        assertTrue(fx.api.seen.stream().noneMatch(s -> s.body().contains(EgressFixture.AGENT_SECRET)));
    }

    @Test
    void aSecretSplitAcrossChunksIsFound() throws Exception {
        String s = EgressFixture.AGENT_SECRET;
        String first = "a".repeat(1000) + s.substring(0, 7);
        String second = s.substring(7) + "b".repeat(10);
        String req = "POST http://plain.allowed.test/sink HTTP/1.1\r\nHost: plain.allowed.test\r\n"
                + fx.proxyAuthorizationLine() + "Transfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(first.length()) + "\r\n" + first + "\r\n"
                + Integer.toHexString(second.length()) + "\r\n" + second + "\r\n0\r\n\r\n";
        try (Socket sock = new Socket("127.0.0.1", fx.proxy.port())) {
            sock.setSoTimeout(5000);
            OutputStream out = sock.getOutputStream();
            byte[] b = req.getBytes(StandardCharsets.US_ASCII);
            int cut = req.indexOf(second) - 4;
            out.write(b, 0, cut);
            out.flush();
            Thread.sleep(100);
            out.write(b, cut, b.length - cut);
            String all = new String(sock.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(all.startsWith("HTTP/1.1 403"), all);
            assertTrue(all.contains("body contains secret AGENT_SECRET"), all);
        }
        assertTrue(fx.plainHttp.seen.isEmpty());
    }

    @Test
    void onlyTheBottlesAgentMayUseTheProxy() throws Exception {
        for (String credential : List.of("", "bottle:wrong", "bottle:" + EgressFixture.ACCESS.substring(1))) {
            for (String target : List.of(
                    "CONNECT api.allowed.test:443 HTTP/1.1\r\nHost: api.allowed.test:443\r\n",
                    "GET http://plain.allowed.test/x HTTP/1.1\r\nHost: plain.allowed.test\r\n")) {
                String auth = credential.isEmpty()
                        ? ""
                        : "Proxy-Authorization: Basic "
                                + Base64.getEncoder().encodeToString(credential.getBytes(StandardCharsets.UTF_8))
                                + "\r\n";
                String r = raw(target + auth + "\r\n");
                assertTrue(r.startsWith("HTTP/1.1 407"), r);
                assertTrue(r.toLowerCase(Locale.ROOT).contains("proxy-authenticate: basic"), r);
            }
        }
        assertEquals(List.of(), fx.api.seen);
        assertEquals(List.of(), fx.plainHttp.seen);
        assertEquals(
                6,
                fx.events.stream()
                        .filter(e -> "unauthenticated".equals(e.get("event")))
                        .count());
        assertTrue(fx.lines.stream().noneMatch(l -> l.contains(EgressFixture.ACCESS)));
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        String one = "GET http://plain.allowed.test/big/300000 HTTP/1.1\r\nHost: plain.allowed.test\r\n"
                + fx.proxyAuthorizationLine() + "\r\n";
        String two = "GET http://evil.test/ HTTP/1.1\r\nHost: evil.test\r\n" + fx.proxyAuthorizationLine() + "\r\n";
        String all = raw(one + one.replace("/big/300000", "/second") + two);
        int first = all.indexOf("HTTP/1.1 ");
        assertTrue(all.startsWith("HTTP/1.1 200"), all.substring(0, Math.min(200, all.length())));
        int second = all.indexOf("HTTP/1.1 ", first + 300000);
        assertTrue(all.startsWith("HTTP/1.1 200", second), all.substring(second, second + 40));
        int third = all.indexOf("HTTP/1.1 ", second + 10);
        assertTrue(all.startsWith("HTTP/1.1 403", third), all.substring(third, third + 40));
        assertEquals(
                List.of("/big/300000", "/second"),
                fx.plainHttp.seen.stream().map(TestUpstream.Seen::path).toList());
    }

    @Test
    void bigUploadsStillGetAHundredContinue() throws Exception {
        // curl sends Expect: 100-continue for bodies over 1 MiB and waits a second without an answer
        Path body = dir.resolve("two-mib");
        Files.write(body, TestUpstream.pattern(2 << 20));
        long t0 = System.nanoTime();
        EgressFixture.Curl r = fx.curl("--data-binary", "@" + body, "https://open.allowed.test/sink");
        assertEquals(200, r.status(), r.body());
        assertTrue(r.body().startsWith("got " + (2 << 20)), r.body());
        assertTrue(System.nanoTime() - t0 < 900_000_000L, "no one-second Expect stall");
    }

    private static List<String> forms(String secret) {
        byte[] b = secret.getBytes(StandardCharsets.UTF_8);
        StringBuilder every = new StringBuilder();
        for (byte x : b) {
            every.append('%').append(String.format("%02X", x));
        }
        return List.of(
                secret,
                every.toString(),
                Base64.getEncoder().encodeToString(("k=" + secret).getBytes(StandardCharsets.UTF_8)),
                Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(("xy" + secret).getBytes(StandardCharsets.UTF_8)),
                HexFormat.of().formatHex(b),
                HexFormat.of().withUpperCase().formatHex(b));
    }

    private static String[] leak(String part, String value, String base) {
        String enc = URLEncoder.encode(value, StandardCharsets.UTF_8);
        return switch (part) {
            case "path" -> new String[] {base + "/x/" + enc};
            case "query" -> new String[] {base + "/x?q=" + enc};
            case "header" -> new String[] {"-H", "X-Data: " + value, base + "/x"};
            case "cookie" -> new String[] {"-H", "Cookie: session=" + value, base + "/x"};
            case "form" -> new String[] {"--data-urlencode", "d=" + value, base + "/x"};
            default -> new String[] {"--data-binary", "{\"d\":\"" + value + "\"}", base + "/x"};
        };
    }

    private String raw(String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", fx.proxy.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
