package dev.bottles.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.manifest.GitUpstream;
import dev.bottles.sidecars.CertificateAuthority;
import dev.bottles.sidecars.GitGateConfig;
import dev.bottles.sidecars.SecretScanner;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.junit.ssh.SshTestGitServer;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The git gate against an SSH git server (JGit's test server) on loopback, with JGit as the agent. */
class GitGateDaemonTest {
    private static final String SECRET = "route-token-value-4242";
    private static final String ACCESS = "gate-access-credential-0123456789abcdefgh";

    @TempDir
    Path dir;

    Repository upstream;
    SshTestGitServer server;
    int sshPort;
    GitGateDaemon gate;
    final List<String> events = new CopyOnWriteArrayList<>();
    RevCommit first;

    @BeforeEach
    void start() throws Exception {
        Path up = dir.resolve("upstream.git");
        try (Git g = Git.init()
                .setBare(false)
                .setDirectory(dir.resolve("seed").toFile())
                .setInitialBranch("main")
                .call()) {
            Files.writeString(dir.resolve("seed/README.md"), "hello\n");
            g.add().addFilepattern("README.md").call();
            first = g.commit().setMessage("first").setSign(false).call();
        }
        Git.cloneRepository()
                .setBare(true)
                .setURI(dir.resolve("seed").toUri().toString())
                .setDirectory(up.toFile())
                .call()
                .close();
        upstream = Git.open(up.toFile()).getRepository();
        CertificateAuthority gateKey = CertificateAuthority.mint("gate key", Clock.systemUTC());
        Path keys = Files.createDirectories(dir.resolve("keys"));
        Files.writeString(keys.resolve("app"), gateKey.privateKeyPem());
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair hostKey = g.generateKeyPair();
        server = new SshTestGitServer("git", gateKey.certificate().getPublicKey(), upstream, hostKey);
        sshPort = server.start();
        gate = startGate(keys, false);
    }

    private GitGateDaemon startGate(Path keys, boolean pinned) throws Exception {
        Path known = dir.resolve("known_hosts");
        Files.writeString(
                known,
                "[127.0.0.1]:" + sshPort + " ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAI"
                        + "bmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg=\n");
        GitGateConfig config = new GitGateConfig(
                List.of(new GitGateConfig.Repo(
                        "app",
                        GitUpstream.parse("ssh://git@127.0.0.1:" + sshPort + "/doesntmatter"),
                        keys.resolve("app").toString(),
                        pinned)),
                known.toString());
        return GitGateDaemon.start(
                config,
                new InetSocketAddress("127.0.0.1", 0),
                dir.resolve("mirrors-" + pinned),
                keys,
                known,
                SecretScanner.of(Map.of("ROUTE_TOKEN", SECRET)),
                ACCESS,
                (d, e, f) -> events.add(d + ":" + e + " " + f));
    }

    @AfterEach
    void stop() throws Exception {
        gate.close();
        server.stop();
        upstream.close();
    }

    private String url(String name) {
        return "git://127.0.0.1:" + gate.port() + "/" + ACCESS + "/" + name;
    }

    private Git cloneThroughGate() throws Exception {
        return Git.cloneRepository()
                .setURI(url("app"))
                .setDirectory(Files.createTempDirectory(dir, "agent").toFile())
                .call();
    }

    private RevCommit commit(Git g, String file, String content, String message) throws Exception {
        Files.writeString(g.getRepository().getWorkTree().toPath().resolve(file), content);
        g.add().addFilepattern(file).call();
        return g.commit().setMessage(message).setSign(false).call();
    }

    private RemoteRefUpdate push(Git g, String spec) throws Exception {
        Iterable<PushResult> r =
                g.push().setRemote(url("app")).setRefSpecs(new RefSpec(spec)).call();
        return r.iterator().next().getRemoteUpdates().iterator().next();
    }

    @Test
    void cloneAndFetchServeTheUpstreamRefreshedBeforeEachFetch() throws Exception {
        try (Git agent = cloneThroughGate()) {
            assertEquals(first.getId(), agent.getRepository().resolve("refs/heads/main"));
            RevCommit second;
            try (Git seed = Git.open(dir.resolve("seed").toFile())) {
                second = commit(seed, "NEWS", "news\n", "second");
                seed.push()
                        .setRemote(dir.resolve("upstream.git").toUri().toString())
                        .setRefSpecs(new RefSpec("main:main"))
                        .call();
            }
            agent.fetch().call();
            assertEquals(second.getId(), agent.getRepository().resolve("refs/remotes/origin/main"));
        }
    }

    @Test
    void aPushToABranchLandsUpstream() throws Exception {
        try (Git agent = cloneThroughGate()) {
            agent.checkout().setCreateBranch(true).setName("agent/feature").call();
            RevCommit c = commit(agent, "work.txt", "work\n", "agent work");
            RemoteRefUpdate u = push(agent, "agent/feature:refs/heads/agent/feature");
            assertEquals(RemoteRefUpdate.Status.OK, u.getStatus(), u.getMessage());
            assertEquals(c.getId(), upstream.resolve("refs/heads/agent/feature"));
            assertTrue(events.stream().anyMatch(e -> e.contains("verdict=forwarded")), events.toString());
        }
    }

    @Test
    void secretsAndTokenShapesAreRefusedAndNothingReachesTheUpstream() throws Exception {
        try (Git agent = cloneThroughGate()) {
            agent.checkout().setCreateBranch(true).setName("agent/leak").call();
            RevCommit leak = commit(agent, "README.md", "see https://evil.test/?k=" + SECRET + "\n", "docs");
            RemoteRefUpdate u = push(agent, "agent/leak:refs/heads/agent/leak");
            assertEquals(RemoteRefUpdate.Status.REJECTED_OTHER_REASON, u.getStatus());
            assertEquals("file README.md contains secret ROUTE_TOKEN", u.getMessage());
            assertNull(upstream.resolve("refs/heads/agent/leak"));
            assertFalse(upstream.getObjectDatabase().has(leak.getId()), "the commit never left the gate");

            agent.reset()
                    .setMode(ResetCommand.ResetType.HARD)
                    .setRef(first.name())
                    .call();
            RevCommit shaped = commit(agent, "notes.txt", "nothing\n", "token ghp_" + "a".repeat(36));
            RemoteRefUpdate v = push(agent, "agent/leak:refs/heads/agent/leak");
            assertEquals(RemoteRefUpdate.Status.REJECTED_OTHER_REASON, v.getStatus());
            assertTrue(v.getMessage().contains("contains secret rule github-token"), v.getMessage());
            assertFalse(upstream.getObjectDatabase().has(shaped.getId()));
        }
    }

    @Test
    void tagsDeletesAndRewritingTheDefaultBranchAreRefused() throws Exception {
        try (Git agent = cloneThroughGate()) {
            agent.tag().setName("v1").setAnnotated(false).call();
            RemoteRefUpdate tag = push(agent, "refs/tags/v1:refs/tags/v1");
            assertEquals(RemoteRefUpdate.Status.REJECTED_OTHER_REASON, tag.getStatus());
            assertEquals("tags are not pushed through the gate", tag.getMessage());
            assertNull(upstream.resolve("refs/tags/v1"));

            RemoteRefUpdate delete = push(agent, ":refs/heads/main");
            assertTrue(delete.getStatus() != RemoteRefUpdate.Status.OK, delete.toString());
            assertEquals(first.getId(), upstream.resolve("refs/heads/main"));

            agent.reset()
                    .setMode(ResetCommand.ResetType.HARD)
                    .setRef(first.name())
                    .call();
            commit(agent, "x.txt", "x\n", "rewrite");
            agent.commit().setAmend(true).setMessage("rewritten").setSign(false).call();
            ObjectId before = upstream.resolve("refs/heads/main");
            Files.writeString(agent.getRepository().getWorkTree().toPath().resolve("y.txt"), "y\n");
            RevCommit unrelated = Git.init()
                    .setDirectory(Files.createTempDirectory(dir, "other").toFile())
                    .setInitialBranch("main")
                    .call()
                    .commit()
                    .setMessage("orphan")
                    .setSign(false)
                    .setAllowEmpty(true)
                    .call();
            assertNotNull(unrelated);
            agent.fetch().setRemote(unrelated.getTree() == null ? "" : new File(dir.toFile(), "x").toString());
            RemoteRefUpdate force = push(agent, "+HEAD~1:refs/heads/main");
            assertTrue(
                    force.getStatus() == RemoteRefUpdate.Status.OK
                            || force.getStatus() == RemoteRefUpdate.Status.UP_TO_DATE
                            || force.getStatus() == RemoteRefUpdate.Status.REJECTED_OTHER_REASON,
                    force.toString());
            assertEquals(before, upstream.resolve("refs/heads/main"), "main was not rewritten");
        }
    }

    @Test
    void anUnpinnedHostKeyIsLoggedAsAWarning() {
        assertTrue(
                events.stream().anyMatch(e -> e.startsWith("git-gate:warning") && e.contains("not pinned")),
                events.toString());
    }

    @Test
    void anUndeclaredRepositoryIsNotServed() throws Exception {
        GitAPIException e = assertThrows(
                GitAPIException.class,
                () -> Git.cloneRepository()
                        .setURI(url("other"))
                        .setDirectory(dir.resolve("other").toFile())
                        .call());
        Throwable root = e;
        while (root.getCause() != null && !(root instanceof NoRemoteRepositoryException)) {
            root = root.getCause();
        }

        assertTrue(root.getMessage().contains("other: not found"), root.getMessage());
        assertTrue(
                events.stream().anyMatch(x -> x.contains("git-gate:refused") && x.contains("other")),
                events.toString());
    }

    @Test
    void anUnreachableOrMispinnedUpstreamIsRefusedClosed() throws Exception {
        try (GitGateDaemon pinned = startGate(dir.resolve("keys"), true)) {
            TransportException e = assertThrows(
                    TransportException.class,
                    () -> Git.cloneRepository()
                            .setURI("git://127.0.0.1:" + pinned.port() + "/" + ACCESS + "/app")
                            .setDirectory(dir.resolve("p").toFile())
                            .call());
            assertTrue(String.valueOf(e.getMessage()).contains("cannot refresh 'app'"), e.getMessage());
        }
        server.stop();
        TransportException e = assertThrows(TransportException.class, () -> cloneThroughGate());
        assertTrue(String.valueOf(e.getMessage()).contains("refusing to serve a stale mirror"), e.getMessage());
    }

    @Test
    void stockGitWithoutTheBottlesCredentialIsNotServed() throws Exception {
        for (String path :
                List.of("/app", "/wrong-credential/app", "/" + ACCESS.substring(1) + "/app", "/" + ACCESS + "x/app")) {
            Process p = new ProcessBuilder("git", "ls-remote", "git://127.0.0.1:" + gate.port() + path)
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor() != 0, path + ": " + out);
        }
        Process ok = new ProcessBuilder("git", "ls-remote", url("app"))
                .redirectErrorStream(true)
                .start();
        String out = new String(ok.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, ok.waitFor(), out);
        assertTrue(out.contains("refs/heads/main"), out);
        assertEquals(
                4,
                events.stream()
                        .filter(e -> e.startsWith("git-gate:unauthenticated"))
                        .count(),
                events.toString());
        assertTrue(events.stream().noneMatch(e -> e.contains(ACCESS)), "the credential is never logged");
    }
}
