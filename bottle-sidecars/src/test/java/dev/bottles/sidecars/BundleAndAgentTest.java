package dev.bottles.sidecars;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleException;
import dev.bottles.ManifestException;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.RouteAuth;
import dev.bottles.manifest.RouteRole;
import dev.bottles.spi.ResolvedEnv;
import dev.bottles.spi.Settings;
import dev.bottles.spi.Subnet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleAndAgentTest {
    @TempDir
    Path tmp;

    private SidecarPlans plans(BottleDefinition b, Map<String, String> hostEnv) {
        return SidecarPlans.prepare(Fixtures.request(tmp, b, hostEnv, ResolvedEnv.empty()), "", Fixtures.CLOCK);
    }

    @Test
    void theBundleRunsWhatTheBottleNeeds() {
        assertEquals(
                "egress,pipelock",
                SidecarBundle.forBottle(BottleDefinition.builder("a").build()).daemonsCsv());
        SidecarBundle full = SidecarBundle.forBottle(
                BottleDefinition.builder("a").supervise(true).build());
        assertEquals("egress,pipelock,supervise", full.daemonsCsv());
        assertEquals(List.of(Daemon.EGRESS, Daemon.SUPERVISE), full.agentFacing());
        assertEquals(Daemon.GIT_GATE, Daemon.named("git-gate"));
    }

    @Test
    void dockerBundlePublishesNothingAndCarriesNoProxyVariables() {
        BottleDefinition b = BottleDefinition.builder("dev")
                .route(EgressRoute.to("api.example.com").withAuth(RouteAuth.bearer("API_TOKEN")))
                .build();
        BundleLaunchSpec spec = BundleLaunchSpec.of(
                plans(b, Map.of("API_TOKEN", "v")),
                "docker",
                "claude-bottle-net-" + Fixtures.IDENTITY,
                new Subnet(192, 168, 7),
                false,
                new Settings(Map.of(), Map.of()));
        assertEquals(List.of(), spec.publishedPorts());
        assertEquals("192.168.7.2", spec.bundleIp());
        assertEquals("192.168.7.1", spec.gateway());
        assertTrue(
                spec.environment().stream()
                        .noneMatch(e -> e.name().toUpperCase().contains("PROXY")
                                && !e.name().startsWith("EGRESS_")),
                spec.environment().toString());
        assertTrue(spec.environment().contains(BundleLaunchSpec.EnvEntry.bare("API_TOKEN")));
        assertTrue(
                spec.volumes().stream().allMatch(BundleLaunchSpec.Mount::readOnly),
                "only supervise's queue is writable");
        assertEquals(
                Map.of(
                        "dev.bottles.identity",
                        Fixtures.IDENTITY,
                        "dev.bottles.backend",
                        "docker",
                        "dev.bottles.role",
                        "bundle"),
                spec.labels());
    }

    @Test
    void bareNamesTakeTheirValueFromTheHostOnlyWhenResolved() {
        BottleDefinition b = BottleDefinition.builder("dev")
                .route(EgressRoute.to("api.example.com").withAuth(RouteAuth.bearer("API_TOKEN")))
                .build();
        SidecarPlans p = plans(b, Map.of("API_TOKEN", "v"));
        BundleLaunchSpec spec = BundleLaunchSpec.of(
                p,
                "docker",
                "n",
                new Subnet(10, 0, 0),
                false,
                new Settings(Map.of("CLAUDE_BOTTLE_SIDECAR_IMAGE", "mine:2"), Map.of()));
        assertEquals("mine:2", spec.image());
        assertFalse(spec.toString().contains("API_TOKEN=v"), "the spec itself holds no value");
        assertFalse(spec.toString().contains(p.access().token()), "nor the access credential");
        List<String> resolved = spec.resolveEnvironment(p.bundleValues(
                Map.of("API_TOKEN", "tok-123"), new ResolvedEnv(Map.of(), Map.of("GH", "forwarded-value"))));
        assertTrue(resolved.contains("API_TOKEN=tok-123"), resolved.toString());
        assertTrue(resolved.contains(BundleAccess.ENV + "=" + p.access().token()));
        assertTrue(resolved.contains("EGRESS_LISTEN=10.0.0.2"), "daemons listen on the bundle's agent-side address");
        BottleException e = assertThrows(BottleException.class, () -> spec.resolveEnvironment(Map.of()));
        assertTrue(e.getMessage().contains("host variable API_TOKEN is not set"), e.getMessage());
    }

    @Test
    void agentEnvironmentOnSmolmachinesUsesPublishedPorts() {
        BottleDefinition b = BottleDefinition.builder("dev").supervise(true).build();
        SidecarPlans p = plans(b, Map.of());
        Endpoints e =
                Endpoints.published("100.96.0.1", Map.of(Daemon.EGRESS, 40001, Daemon.SUPERVISE, 40002), p.bundle());
        Map<String, String> env = AgentEnvironment.compose(
                p,
                e,
                new ResolvedEnv(Map.of("DISABLE_ERROR_REPORTING", "0", "MODE", "x"), Map.of("SECRET", "never-here")));
        assertEquals("http://bottle:" + p.access().token() + "@100.96.0.1:40001", env.get("HTTPS_PROXY"));
        assertEquals("localhost,127.0.0.1,100.96.0.1", env.get("NO_PROXY"));
        assertEquals("http://100.96.0.1:40002/mcp", env.get("MCP_SUPERVISE_URL"));
        assertFalse(env.containsKey("GIT_GATE_URL"));
        assertFalse(env.containsKey("CLAUDE_CODE_OAUTH_TOKEN"), "no placeholder without an oauth route");
        assertEquals("0", env.get("DISABLE_ERROR_REPORTING"), "a bottle's literal overrides a telemetry default");
        assertFalse(env.containsKey("SECRET"), "forwarded values are passed by name, not composed");
        assertThrows(
                IllegalArgumentException.class,
                () -> Endpoints.published("100.96.0.1", Map.of(Daemon.EGRESS, 1), p.bundle()));
    }

    @Test
    void aBottleMayNotSetRoutingVariablesOrTheRealOauthToken() {
        BottleDefinition b = BottleDefinition.builder("dev")
                .literal("HTTPS_PROXY", "http://evil:1")
                .fromHost("CLAUDE_CODE_OAUTH_TOKEN", "REAL")
                .route(EgressRoute.to("api.anthropic.com").withRole(RouteRole.CLAUDE_CODE_OAUTH))
                .build();
        ManifestException e = assertThrows(ManifestException.class, () -> plans(b, Map.of("REAL", "x")));
        assertEquals(
                List.of("env.HTTPS_PROXY", "env.CLAUDE_CODE_OAUTH_TOKEN"),
                e.problems().stream().map(x -> x.field().orElse("")).toList());
    }

    @Test
    void directoriesAre0700AndEveryFilePrivateTheBundleReadsThemAsTheirOwner() throws Exception {
        SidecarPlans p = plans(BottleDefinition.builder("dev").supervise(true).build(), Map.of());
        for (Path d : List.of(
                p.egress().directory(),
                p.pipelock().directory(),
                p.supervise().directory(),
                p.supervise().queueDir())) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(d)), d.toString());
        }
        for (Path f : List.of(
                p.egress().caKey(),
                p.pipelock().caKey(),
                p.egress().routesFile(),
                p.pipelock().config(),
                p.supervise().configFile(),
                p.supervise().baseDockerfile(),
                p.egress().caCertificate())) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
        }
        assertEquals(p.supervise().config(), SuperviseConfig.read(p.supervise().configFile()));
    }
}
