package dev.bottles.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleException;
import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.ExecResult;
import dev.bottles.PreparedBottle;
import dev.bottles.RunningBottle;
import dev.bottles.docker.testimages.TestImages;
import dev.bottles.dockerengine.ContainerSpec;
import dev.bottles.dockerengine.DockerBundles;
import dev.bottles.dockerengine.DockerEngine;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.Manifest;
import dev.bottles.manifest.RouteAuth;
import dev.bottles.sidecars.BundleLaunchSpec;
import dev.bottles.spi.Subnet;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the agent can and cannot reach, probed from inside it, on the real engine. */
class DockerIsolationIT {
    private static final String HOST_SECRET = "ghp_hostForwardedValue1234";
    private static final String ROUTE_TOKEN = "route-token-never-in-agent-5678";
    private static DockerEngine engine;
    private static final DockerBackend BACKEND = new DockerBackend();

    @TempDir
    Path home;

    private final List<RunningBottle> open = new ArrayList<>();
    private final List<String> extraContainers = new ArrayList<>();
    private final List<String> extraNetworks = new ArrayList<>();

    @BeforeAll
    static void engine() {
        engine = TestImages.engine();
    }

    @AfterEach
    void cleanUp() {
        open.forEach(RunningBottle::close);
        extraContainers.forEach(engine::removeContainer);
        extraNetworks.forEach(engine::removeNetwork);
    }

    private BottleSpec.Builder spec() {
        Manifest m = Manifest.builder()
                .bottle(BottleDefinition.builder("iso")
                        .fromHost("GITHUB_TOKEN", "GH_PAT")
                        .route(EgressRoute.to("api.example.com").withAuth(RouteAuth.bearer("ROUTE_TOKEN")))
                        .build())
                .agent(AgentDefinition.builder("prober").bottle("iso").build())
                .build();
        return BottleSpec.builder("prober")
                .manifest(m)
                .home(home)
                .userCwd(home)
                .hostEnvironment(Map.of("GH_PAT", HOST_SECRET, "ROUTE_TOKEN", ROUTE_TOKEN))
                .setting(DockerSettings.IMAGE, TestImages.agent())
                .setting(BundleLaunchSpec.IMAGE_SETTING, TestImages.bundle());
    }

    private RunningBottle launch() {
        RunningBottle b = Bottles.using(BACKEND).prepare(spec().build()).launch();
        open.add(b);
        return b;
    }

    private static String bundleIp(RunningBottle b) {
        DockerBottlePlan p = (DockerBottlePlan) b.plan();
        return engine.containerAddresses(p.bundleName()).get(p.networks().internal());
    }

    private static ExecResult sh(RunningBottle b, String script) {
        return b.exec("sh", "-c", script);
    }

    /** GET / over nc: Debian's static busybox wget crashes on name-service lookups in a scratch image. */
    private static ExecResult get(RunningBottle b, String ip, int port) {
        return sh(b, "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | timeout 5 nc -w 3 " + ip + " " + port);
    }

    @Test
    void theAgentReachesTheBundlesAgentFacingPortsAndNothingElse() throws Exception {
        RunningBottle b = launch();
        DockerBottlePlan p = (DockerBottlePlan) b.plan();
        String ip = bundleIp(b);
        assertTrue(ip.endsWith(".2"), "the bundle is pinned at .2: " + ip);
        Subnet s = p.networks().subnets().stream()
                .filter(x -> x.bundleIp().equals(ip))
                .findFirst()
                .orElseThrow();

        ExecResult egress = get(b, ip, 8080);
        assertEquals(0, egress.exitCode(), egress.stderr());
        assertTrue(egress.stdout().startsWith("HTTP/1.1 200 OK"), egress.stdout());
        assertTrue(egress.stdout().contains("bundle " + b.identity()), egress.stdout());

        ExecResult bypass = sh(b, "timeout 5 nc -w 2 " + ip + " 8888 </dev/null");
        assertNotEquals(0, bypass.exitCode(), "pipelock's port is the bundle's loopback only (egress-port-bypass)");
        ExecResult localhost = sh(b, "timeout 5 nc -w 2 127.0.0.1 9 </dev/null");
        assertNotEquals(0, localhost.exitCode(), "nothing listens on the agent's own loopback (localhost-reach)");

        try (ServerSocket host = new ServerSocket(0, 10, InetAddress.getByName("0.0.0.0"))) {
            Map<String, String> bundleNets = engine.containerAddresses(p.bundleName());
            String egressIp = bundleNets.get(p.networks().egress());
            String egressGateway = egressIp.substring(0, egressIp.lastIndexOf('.')) + ".1";
            for (String target : List.of(egressGateway, s.gateway())) {
                ExecResult r = sh(b, "timeout 5 nc -w 2 " + target + " " + host.getLocalPort() + " </dev/null");
                assertNotEquals(0, r.exitCode(), "a host listener behind " + target + " must be unreachable: " + r);
            }
        }
    }

    @Test
    void aTestHostOnAnotherNetworkIsUnreachable() {
        Subnet other = new Subnet(10, 214, 7);
        engine.createNetwork(
                "bottle-test-other-net",
                other,
                false,
                Map.of("dev.bottles.identity", "isolation-test", "dev.bottles.role", "test-network"));
        extraNetworks.add("bottle-test-other-net");
        String host = engine.createContainer(
                ContainerSpec.builder("bottle-test-other-host", TestImages.bundle(), "bottle-test-other-net")
                        .labels(Map.of("dev.bottles.identity", "isolation-test", "dev.bottles.role", "test-host"))
                        .ipv4(other.bundleIp())
                        .build());
        extraContainers.add(host);
        engine.start(host);
        RunningBottle b = launch();
        assertEquals(
                0,
                engine.exec(
                                DockerEngine.Command.in(
                                        host,
                                        List.of(
                                                "sh",
                                                "-c",
                                                "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 127.0.0.1 8080")),
                                Duration.ofSeconds(10))
                        .result()
                        .exitCode(),
                "the test host serves");
        ExecResult r = get(b, other.bundleIp(), 8080);
        assertNotEquals(0, r.exitCode(), "another network's host: " + r);
    }

    @Test
    void forwardedValuesReachCommandsButNeverTheContainerConfig() {
        RunningBottle b = launch();
        DockerBottlePlan p = (DockerBottlePlan) b.plan();
        List<String> agentEnv = engine.containerEnv(p.agent().container());
        assertTrue(agentEnv.stream().anyMatch(e -> e.startsWith("HTTPS_PROXY=http://")), agentEnv.toString());
        assertTrue(
                agentEnv.stream().noneMatch(e -> e.contains(HOST_SECRET) || e.contains(ROUTE_TOKEN)),
                "docker inspect of the agent shows no forwarded value: " + agentEnv);
        assertEquals(HOST_SECRET + "\n", sh(b, "echo \"$GITHUB_TOKEN\"").stdout(), "the agent's commands get it");
        assertFalse(b.exec("env").stdout().contains(ROUTE_TOKEN), "the route token stays in the bundle");
        assertTrue(
                engine.containerEnv(p.bundleName()).contains("ROUTE_TOKEN=" + ROUTE_TOKEN),
                "the bundle holds the route token");
    }

    @Test
    void twoBottlesGetDifferentSubnetsAndCannotReachEachOther() {
        RunningBottle a = launch();
        RunningBottle b = launch();
        String ipA = bundleIp(a);
        String ipB = bundleIp(b);
        assertNotEquals(ipA.substring(0, ipA.lastIndexOf('.')), ipB.substring(0, ipB.lastIndexOf('.')));
        assertEquals(0, get(a, ipA, 8080).exitCode());
        assertNotEquals(0, get(a, ipB, 8080).exitCode(), "A cannot reach B's bundle");
    }

    @Test
    void aPinnedContainerNameThatExistsIsRefused() {
        String taken = "bottle-test-pinned-" + Long.toHexString(System.nanoTime());
        extraContainers.add(engine.createContainer(ContainerSpec.builder(taken, TestImages.agent(), "none")
                .cmd(List.of("true"))
                .labels(Map.of("dev.bottles.identity", "pin-test", "dev.bottles.role", "test-host"))
                .build()));
        BottleException e = assertThrows(
                BottleException.class,
                () -> Bottles.using(BACKEND)
                        .prepare(spec().setting(DockerSettings.CONTAINER, taken).build()));
        assertTrue(
                e.getMessage()
                        .contains("container '" + taken + "' already exists (pinned via CLAUDE_BOTTLE_CONTAINER)"),
                e.getMessage());
    }

    @Test
    void anOrphanBundleIsReportedWithACleanupHint() {
        String identity = "prober-orph1";
        extraContainers.add(engine.createContainer(
                ContainerSpec.builder(DockerBundles.bundleContainerName(identity), TestImages.agent(), "none")
                        .cmd(List.of("true"))
                        .labels(Map.of("dev.bottles.identity", identity, "dev.bottles.role", "test-host"))
                        .build()));
        BottleException e = assertThrows(
                BottleException.class,
                () -> Bottles.using(BACKEND).prepare(spec().identity(identity).build()));
        assertTrue(e.getMessage().contains("an orphan from a previous run"), e.getMessage());
        assertTrue(e.getMessage().contains("docker rm -f claude-bottle-sidecars-" + identity), e.getMessage());
    }

    @Test
    void thePlanPrintsNoSecret() {
        PreparedBottle p = Bottles.using(BACKEND).prepare(spec().build());
        String json = p.plan().toJson();
        assertFalse(json.contains(HOST_SECRET) || json.contains(ROUTE_TOKEN), json);
        assertTrue(json.contains("\"GITHUB_TOKEN\" : \"***\""), json);
        p.discard();
    }
}
