package dev.bottles.sidecars;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.ManifestLoader;
import dev.bottles.spi.ResolvedEnv;
import dev.bottles.spi.Settings;
import dev.bottles.spi.Subnet;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every rendering for the original's example bottle, compared with files under
 * {@code src/test/resources/golden/}. Run with {@code -Dgolden.update=true} to rewrite them after a
 * deliberate change, then review the diff.
 */
class GoldenFilesTest {
    private static final boolean UPDATE = Boolean.getBoolean("golden.update");

    @TempDir
    Path tmp;

    private SidecarPlans plans;
    private ResolvedEnv env;

    @BeforeEach
    void prepare() throws Exception {
        Path userHome = tmp.resolve("user");
        Files.createDirectories(userHome.resolve(".ssh"));
        Files.writeString(userHome.resolve(".ssh/id_ed25519_gitea"), "-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n");
        BottleDefinition bottle = ManifestLoader.readBottle(
                Path.of(getClass().getResource("/dev.md").toURI()), userHome);
        Map<String, String> hostEnv = Map.of("CLAUDE_BOTTLE_OAUTH_TOKEN", "sk-ant-oat-real", "GH_PAT", "ghp_real");
        env = new ResolvedEnv(Map.of("GIT_AUTHOR_NAME", "didericis"), Map.of("GITHUB_TOKEN", "ghp_real"));
        plans = SidecarPlans.prepare(
                Fixtures.request(tmp.resolve("home"), bottle, hostEnv, env),
                "FROM claude-bottle:latest\n",
                Fixtures.CLOCK);
    }

    private void assertGolden(String name, String text) throws IOException, URISyntaxException {
        // the access credential is fresh in every prepare; the goldens show where it goes
        String actual = text.replace(plans.access().token(), "<access>");
        Path golden = Path.of("src/test/resources/golden", name);
        if (UPDATE) {
            Files.writeString(golden, actual);
        }
        assertEquals(Files.readString(golden, StandardCharsets.UTF_8), actual, "golden/" + name);
    }

    @Test
    void pipelockConfig() throws Exception {
        assertGolden("pipelock.yaml", Files.readString(plans.pipelock().config()));
    }

    @Test
    void egressRoutes() throws Exception {
        assertGolden("routes.yaml", Files.readString(plans.egress().routesFile()));
    }

    @Test
    void gitGateConfigAndKnownHosts() throws Exception {
        assertGolden("upstreams.json", Files.readString(plans.gitGate().configFile()));
        assertGolden("known_hosts", Files.readString(plans.gitGate().knownHosts()));
        assertGolden("gitconfig", plans.gitGate().agentGitConfig(new HostPort("192.168.42.2", 9418), plans.access()));
    }

    @Test
    void superviseConfigAndMcpEntry() throws Exception {
        assertGolden("supervise.json", Files.readString(plans.supervise().configFile()));
        assertGolden("mcp.json", plans.supervise().mcpJson(new HostPort("192.168.42.2", 9100), plans.access()));
    }

    @Test
    void agentEnvironmentOnDocker() throws Exception {
        Endpoints e = Endpoints.inBundle("192.168.42.2", plans.bundle());
        assertGolden("agent.env", AgentEnvironment.envFile(AgentEnvironment.compose(plans, e, env)));
    }

    @Test
    void bundleLaunchSpecOnSmolmachines() throws Exception {
        BundleLaunchSpec spec = BundleLaunchSpec.of(
                plans,
                "smolmachines",
                "claude-bottle-bundle-" + Fixtures.IDENTITY,
                new Subnet(192, 168, 42),
                true,
                new Settings(Map.of(), Map.of()));
        String state = tmp.resolve("home").toString();
        String text = "container: " + spec.containerName() + "\nnetwork: " + spec.networkName() + " " + spec.subnet()
                + " gateway " + spec.gateway() + " bundle " + spec.bundleIp() + "\nimage: " + spec.image()
                + "\ndaemons: " + spec.daemonsCsv()
                + "\nenv:\n"
                + spec.environment().stream().map(x -> "  " + x + "\n").collect(Collectors.joining())
                + "volumes:\n"
                + spec.volumes().stream()
                        .map(v -> "  " + v.host().toString().replace(state, "$BOTTLE_HOME") + " -> " + v.container()
                                + (v.readOnly() ? " (ro)" : " (rw)") + "\n")
                        .collect(Collectors.joining())
                + "publish: " + spec.publishedPorts() + "\nlabels: " + spec.labels() + "\n";
        assertGolden("bundle-spec.txt", text);
    }
}
