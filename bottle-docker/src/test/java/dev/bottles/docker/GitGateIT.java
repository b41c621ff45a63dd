package dev.bottles.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.ExecOptions;
import dev.bottles.ExecResult;
import dev.bottles.RunningBottle;
import dev.bottles.docker.testimages.TestImages;
import dev.bottles.docker.testimages.UpstreamContainer;
import dev.bottles.dockerengine.BundleImages;
import dev.bottles.dockerengine.DockerEngine;
import dev.bottles.dockerengine.JavaRuntime;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.GitRemote;
import dev.bottles.manifest.GitUpstream;
import dev.bottles.manifest.Manifest;
import dev.bottles.manifest.RouteAuth;
import dev.bottles.sidecars.CertificateAuthority;
import dev.bottles.spi.Settings;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The git gate on the real engine: an SSH git upstream in a container on the bundle's outbound
 * network, the real bundle image, JGit in the agent. Clone and fetch go through the gate; a push to
 * a branch lands upstream; a push holding the bottle's secret, a tag and a delete are refused with
 * nothing reaching the upstream; an undeclared repository is not served.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GitGateIT {
    private static final String SECRET = "gate-secret-value-0a1b2c3d4e";

    private DockerEngine engine;
    private Path home;
    private RunningBottle bottle;
    private UpstreamContainer upstream;

    @BeforeAll
    void launch() throws Exception {
        engine = TestImages.engine();
        home = Files.createTempDirectory("bottles-gitgate-");
        CertificateAuthority gateKey = CertificateAuthority.mint("gate key", Clock.systemUTC());
        Path identity = home.resolve("gate_key");
        Files.writeString(identity, gateKey.privateKeyPem());
        Files.setPosixFilePermissions(identity, PosixFilePermissions.fromString("rw-------"));
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair host = g.generateKeyPair();
        String hostLine = PublicKeyEntry.toString(host.getPublic());
        Manifest m = Manifest.builder()
                .bottle(BottleDefinition.builder("gated")
                        .git(new GitRemote(
                                "app",
                                GitUpstream.parse("ssh://git@git.upstream.test/srv/upstream.git"),
                                identity,
                                hostLine))
                        .route(EgressRoute.to("api.allowed.test").withAuth(RouteAuth.bearer("GATE_SECRET")))
                        .build())
                .agent(AgentDefinition.builder("coder").bottle("gated").build())
                .build();
        BottleSpec spec = BottleSpec.builder("coder")
                .manifest(m)
                .home(home)
                .userCwd(home)
                .hostEnvironment(Map.of("GATE_SECRET", SECRET))
                .setting(DockerSettings.IMAGE, TestImages.probeAgent())
                .build();
        TestImages.removeAtExitIfNew(
                BundleImages.describe(engine, new Settings(Map.of(), Map.of())).reference());
        bottle = Bottles.using(new DockerBackend()).prepare(spec).launch();

        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        try (var out = JavaRuntime.tar(tar)) {
            JavaRuntime.directory(out, "certs", 0755);
            JavaRuntime.bytes(
                    out,
                    "certs/gate.pub.der",
                    gateKey.certificate().getPublicKey().getEncoded(),
                    0644);
            JavaRuntime.bytes(out, "certs/host.pub.der", host.getPublic().getEncoded(), 0644);
            JavaRuntime.bytes(out, "certs/host.key.der", host.getPrivate().getEncoded(), 0600);
            out.finish();
        }
        upstream = UpstreamContainer.start(
                engine,
                TestImages.gitUpstream(),
                bottle.identity(),
                ((DockerBottlePlan) bottle.plan()).networks().egress(),
                List.of("git.upstream.test"),
                tar.toByteArray(),
                "upstream git ready");
    }

    @AfterAll
    void tearDown() {
        UpstreamContainer.tearDown(upstream, bottle, home);
    }

    private String upstreamSays(String path, String method) throws Exception {
        return upstream.ask(path, method.equals("POST"));
    }

    private String probe(String... args) {
        List<String> argv = new ArrayList<>(
                List.of("java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", "/opt/probe.jar"));
        argv.addAll(List.of(args));
        ExecResult r = bottle.exec(argv);
        assertEquals(0, r.exitCode(), () -> "probe " + List.of(args) + ": " + r.stdout() + r.stderr());
        return r.stdout().strip();
    }

    private String gate(String repo) {
        String url = bottle.exec("sh", "-c", "echo $GIT_GATE_URL").stdout().strip();
        return url + "/" + repo;
    }

    private String mainUpstream() throws Exception {
        return upstreamSays("/refs", "GET")
                .lines()
                .filter(l -> l.endsWith(" refs/heads/main"))
                .findFirst()
                .orElseThrow()
                .split(" ")[0];
    }

    @Test
    void cloneFetchAndAnAllowedPushGoThroughTheGate() throws Exception {
        String clone = probe("git-clone", gate("app"), "/tmp/a");
        assertEquals("clone=ok " + mainUpstream(), clone);
        String moved = upstreamSays("/commit", "POST");
        assertEquals("fetch=ok " + moved, probe("git-fetch", "/tmp/a"), "the mirror was refreshed before the fetch");

        String push = probe(
                "git-push",
                "/tmp/a",
                "agent/feature",
                "work.txt",
                "agent work",
                "work",
                "agent/feature:refs/heads/agent/feature");
        assertTrue(push.startsWith("push=OK "), push);
        String sha = push.split(" ")[1];
        assertTrue(upstreamSays("/refs", "GET").contains(sha + " refs/heads/agent/feature"), "it landed upstream");
    }

    @Test
    void aPushHoldingTheBottlesSecretATagAndADeleteAreRefusedAndNothingLeaves() throws Exception {
        probe("git-clone", gate("app"), "/tmp/b");
        String leak = probe(
                "git-push",
                "/tmp/b",
                "agent/leak",
                "README.md",
                "see https://x.test/?k=" + SECRET,
                "docs",
                "agent/leak:refs/heads/agent/leak");
        assertTrue(
                leak.startsWith("push=REJECTED_OTHER_REASON ") && leak.contains("contains secret GATE_SECRET"), leak);
        String sha = leak.split(" ")[1];
        assertEquals("no", upstreamSays("/has?" + sha, "GET"), "the leaking commit never reached the upstream");
        assertTrue(!upstreamSays("/refs", "GET").contains("agent/leak"));

        String tag = probe("git-push", "/tmp/b", "main", "-", "-", "-", "refs/tags/v9:refs/tags/v9");
        assertTrue(tag.contains("tags are not pushed through the gate"), tag);
        String delete = probe("git-push", "/tmp/b", "main", "-", "-", "-", ":refs/heads/main");
        assertTrue(delete.startsWith("push=REJECTED"), delete);
        assertTrue(upstreamSays("/refs", "GET").contains(" refs/heads/main")
                && !upstreamSays("/refs", "GET").contains("refs/tags/v9"));
    }

    @Test
    void theAgentsGitPointsTheUpstreamAtTheGate() {
        String config = bottle.exec("cat", "/home/node/.gitconfig").stdout();
        assertTrue(config.contains("[url \"" + gate("app") + "\"]"), config);
        assertTrue(config.contains("insteadOf = ssh://git@git.upstream.test/srv/upstream.git"), config);
        assertTrue(
                !bottle.exec("sh", "-c", "ls -la /home/node; env").stdout().contains("PRIVATE KEY"),
                "the gate's key is not in the agent");
    }

    @Test
    void anUndeclaredRepositoryIsNotServed() {
        String other = probe("git-clone", gate("other"), "/tmp/c");
        assertTrue(other.startsWith("clone=failed") && other.contains("not found"), other);
    }

    @Test
    void stockGitUsesTheGateThroughInsteadOfAndNothingIsServedWithoutTheCredential() {
        ExecOptions asAgent = new ExecOptions(Duration.ofSeconds(60), "1000", "/tmp", Map.of("HOME", "/home/node"));
        ExecResult clone = bottle.exec(
                List.of("git", "clone", "-q", "ssh://git@git.upstream.test/srv/upstream.git", "/tmp/stock"), asAgent);
        assertEquals(0, clone.exitCode(), clone.stdout() + clone.stderr());
        ExecResult log = bottle.exec(List.of("git", "-C", "/tmp/stock", "log", "--oneline"), asAgent);
        assertTrue(!log.stdout().isBlank(), "stock git cloned through the gate: " + log.stderr());
        String url = bottle.exec("sh", "-c", "echo $GIT_GATE_URL").stdout().strip();
        String bare = url.substring(0, url.lastIndexOf('/'));
        for (String without : List.of(bare + "/app", bare + "/guess/app")) {
            ExecResult r = bottle.exec(List.of("git", "ls-remote", without), asAgent);
            assertTrue(r.exitCode() != 0, without + " was served: " + r.stdout());
        }
    }
}
