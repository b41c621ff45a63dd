package dev.bottles.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleEvent;
import dev.bottles.BottleLaunchException;
import dev.bottles.BottleListener;
import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.ExecResult;
import dev.bottles.RunningBottle;
import dev.bottles.docker.testimages.TestImages;
import dev.bottles.dockerengine.DockerEngine;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.GitRemote;
import dev.bottles.manifest.GitUpstream;
import dev.bottles.manifest.Manifest;
import dev.bottles.sidecars.BundleLaunchSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Launch features on the real engine: provisioning, the cwd copy, and many bottles at once. */
class DockerLaunchIT {
    private static DockerEngine engine;

    @TempDir
    Path home;

    @BeforeAll
    static void engine() {
        engine = TestImages.engine();
    }

    private BottleSpec.Builder spec(Manifest m, String agent) {
        return BottleSpec.builder(agent)
                .manifest(m)
                .home(home)
                .userCwd(home)
                .hostEnvironment(Map.of())
                .setting(DockerSettings.IMAGE, TestImages.agent())
                .setting(BundleLaunchSpec.IMAGE_SETTING, TestImages.bundle())
                .setting(DockerSettings.CONTAINER_UID, "0");
    }

    @Test
    void provisioningPutsTheCaPromptSkillsGitAndMcpConfigInPlace() throws Exception {
        Path skills = Files.createDirectories(home.resolve("skills/review"));
        Files.writeString(skills.resolve("SKILL.md"), "# review\n");
        Path key = Files.writeString(home.resolve("gate-key"), "KEY");
        Manifest m = Manifest.builder()
                .bottle(BottleDefinition.builder("dev")
                        .supervise(true)
                        .git(new GitRemote("app", GitUpstream.parse("ssh://git@git.example/me/app.git"), key, null))
                        .build())
                .agent(AgentDefinition.builder("coder")
                        .bottle("dev")
                        .prompt("Be careful.")
                        .skill("review")
                        .build())
                .build();
        try (RunningBottle b = Bottles.using(new DockerBackend())
                .prepare(spec(m, "coder")
                        .setting("BOTTLE_SKILLS_DIR", home.resolve("skills").toString())
                        .build())
                .launch()) {
            DockerBottlePlan p = (DockerBottlePlan) b.plan();
            String ca = Files.readString(p.bundle().sidecars().egress().caCertificate());
            assertEquals(
                    ca,
                    b.exec("cat", "/usr/local/share/ca-certificates/claude-bottle-egress.crt")
                            .stdout());
            assertTrue(
                    b.exec("cat", "/etc/ssl/certs/ca-certificates.crt").stdout().contains(ca.strip()),
                    "the egress CA joined the system trust bundle");
            assertEquals(
                    "Be careful.",
                    b.exec("cat", "/home/node/.claude-bottle/prompt.txt").stdout());
            assertEquals(
                    "# review\n",
                    b.exec("cat", "/home/node/.claude/skills/review/SKILL.md").stdout());
            String git = b.exec("cat", "/home/node/.gitconfig").stdout();
            assertTrue(git.contains("insteadOf = ssh://git@git.example/me/app.git"), git);
            assertTrue(
                    b.exec("cat", "/home/node/.claude-bottle/mcp.json").stdout().contains("/mcp"));
            assertEquals(
                    List.of(
                            "claude",
                            "--dangerously-skip-permissions",
                            "--append-system-prompt-file",
                            "/home/node/.claude-bottle/prompt.txt",
                            "-p",
                            "x"),
                    ClaudeCommand.argv(p, "-p", "x"));
        }
    }

    @Test
    void anImageThatBreaksTheContractFailsAtProvisionNamingEachRuleAndLeavesNothing() {
        Manifest m = Manifest.builder()
                .bottle(BottleDefinition.builder("plain").build())
                .agent(AgentDefinition.builder("plain").bottle("plain").build())
                .build();
        // the stand-in bundle image: busybox only, no git, no /workspace (provisioning makes the home)
        BottleSpec spec = BottleSpec.builder("plain")
                .manifest(m)
                .home(home)
                .userCwd(home)
                .hostEnvironment(Map.of())
                .setting(DockerSettings.IMAGE, TestImages.bundle())
                .setting(BundleLaunchSpec.IMAGE_SETTING, TestImages.bundle())
                .build();
        BottleLaunchException e = Assertions.assertThrows(
                BottleLaunchException.class, () -> Bottles.prepare(spec).launch());
        assertEquals("provision", e.step(), e.getMessage());
        for (String part : List.of(
                "breaks the agent image contract for user 1000",
                "/workspace is not a directory",
                "git is not on PATH",
                "docs/agent-image.md")) {
            assertTrue(e.getMessage().contains(part), e.getMessage());
        }
        assertEquals(Set.of(), TestImages.labelled(e.identity()), "the failed launch removed what it made");
    }

    @Test
    void theCwdIsCopiedIntoTheWorkspaceHonouringDockerignore() throws Exception {
        Path cwd = Files.createDirectories(home.resolve("project"));
        Files.writeString(cwd.resolve("main.txt"), "hello from the host\n");
        Files.writeString(cwd.resolve("secret.env"), "SHOULD_NOT_COPY=1\n");
        Files.writeString(cwd.resolve(".dockerignore"), "secret.env\n");
        Manifest m = Manifest.builder()
                .bottle(BottleDefinition.builder("dev").build())
                .agent(AgentDefinition.builder("coder").bottle("dev").build())
                .build();
        String image;
        List<String> progress = new CopyOnWriteArrayList<>();
        try (RunningBottle b = Bottles.using(new DockerBackend())
                .prepare(spec(m, "coder")
                        .userCwd(cwd)
                        .copyCwd(true)
                        .listener(new BottleListener() {
                            @Override
                            public void onEvent(BottleEvent e) {
                                // steps are not the point here
                            }

                            @Override
                            public void onProgress(String identity, String step, String line) {
                                progress.add(step + ": " + line);
                            }
                        })
                        .build())
                .launch()) {
            assertTrue(progress.stream().anyMatch(l -> l.startsWith("build-cwd-image: Step 2/")), progress.toString());
            image = ((DockerBottlePlan) b.plan()).images().image();
            assertEquals(
                    "hello from the host\n",
                    b.exec("cat", "/workspace/main.txt").stdout());
            ExecResult ignored = b.exec("ls", "/workspace/secret.env");
            assertTrue(ignored.exitCode() != 0, "the .dockerignore kept it out: " + ignored);
            assertTrue(
                    Files.exists(cwd.resolve("main.txt")) && !Files.exists(cwd.resolve("Dockerfile")),
                    "nothing is written into the user's directory");
        }
        engine.removeImage(image);
    }

    @Test
    void eightBottlesLaunchAtOnceOnDistinctSubnetsAndLeaveNothing() {
        Manifest m = Manifest.builder()
                .bottle(BottleDefinition.builder("dev").build())
                .agent(AgentDefinition.builder("many").bottle("dev").build())
                .build();
        DockerBackend backend = new DockerBackend();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<CompletableFuture<RunningBottle>> all = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            all.add(CompletableFuture.supplyAsync(
                    () -> Bottles.using(backend)
                            .prepare(spec(m, "many").build())
                            .launch(),
                    pool));
        }
        List<RunningBottle> up = new ArrayList<>();
        try {
            for (CompletableFuture<RunningBottle> f : all) {
                up.add(f.join());
            }
            Set<String> subnets = new HashSet<>();
            for (RunningBottle b : up) {
                DockerBottlePlan p = (DockerBottlePlan) b.plan();
                String ip = engine.containerAddresses(p.bundleName())
                        .get(p.networks().internal());
                subnets.add(ip.substring(0, ip.lastIndexOf('.')));
                assertEquals("ok\n", b.exec("echo", "ok").stdout());
            }
            assertEquals(8, subnets.size(), subnets.toString());
        } finally {
            up.forEach(RunningBottle::close);
            pool.shutdown();
        }
        for (RunningBottle b : up) {
            assertEquals(List.of(), engine.containers(Map.of("dev.bottles.identity", b.identity())));
            assertEquals(List.of(), engine.networks(Map.of("dev.bottles.identity", b.identity())));
        }
    }
}
