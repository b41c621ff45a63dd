package dev.bottles.docker.claude;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleException;
import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.Decision;
import dev.bottles.ExecOptions;
import dev.bottles.ExecResult;
import dev.bottles.ExecTimeoutException;
import dev.bottles.Proposal;
import dev.bottles.RunningBottle;
import dev.bottles.claude.ClaudeCode;
import dev.bottles.claude.ClaudeEvent;
import dev.bottles.claude.ClaudeTask;
import dev.bottles.docker.DockerBottlePlan;
import dev.bottles.docker.internal.AgentImages;
import dev.bottles.docker.testimages.FakeApiFixture;
import dev.bottles.docker.testimages.TestImages;
import dev.bottles.docker.testimages.UpstreamContainer;
import dev.bottles.sidecars.Egress;
import dev.bottles.state.BottleHome;
import dev.bottles.state.StateDir;
import dev.bottles.testkit.FakeAnthropicApi;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Real Claude Code (the version the SDK's offline image pins) in a docker bottle, against the fake
 * Anthropic API on the bottle's outbound network: nothing here reaches the internet.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClaudeCodeIT {
    private Path home;
    private FakeApiFixture api;
    private RunningBottle bottle;
    private final List<Proposal> proposals = new CopyOnWriteArrayList<>();

    @BeforeAll
    void launch() throws Exception {
        TestImages.requireEngine();
        home = Files.createTempDirectory("bottles-claude-");
        api = new FakeApiFixture(home);
        BottleSpec spec = BottleSpec.builder("claude")
                .manifest(FakeApiFixture.manifest(true))
                .home(home)
                .userCwd(home)
                .backend("docker")
                .settings(api.settings())
                .hostEnvironment(Map.of(FakeApiFixture.TOKEN_ENV, api.token()))
                .approvals(p -> {
                    proposals.add(p);
                    return CompletableFuture.completedFuture(
                            p.route() != null && p.route().host().equals("late.example.test")
                                    ? Decision.approve()
                                    : Decision.reject("only late.example.test"));
                })
                .build();
        var prepared = Bottles.prepare(spec);
        DockerBottlePlan plan = (DockerBottlePlan) prepared.plan();
        TestImages.removeAtExitIfNew(plan.images().base());
        TestImages.removeAtExitIfNew(plan.bundle().image().reference());
        long t0 = System.nanoTime();
        bottle = prepared.launch();
        System.out.printf("launch with the SDK's agent image: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        api.start(bottle);
    }

    @AfterAll
    void tearDown() {
        UpstreamContainer.tearDown(api == null ? null : api.container(), bottle, home);
    }

    private ExecResult claude(String... args) {
        List<String> argv = new ArrayList<>(List.of("claude", "--dangerously-skip-permissions"));
        argv.addAll(List.of(args));
        return bottle.exec(argv, ExecOptions.defaults().withTimeout(Duration.ofMinutes(2)));
    }

    @Test
    void theImageHoldsThePinnedClaudeCodeAndSaysSo() {
        DockerBottlePlan plan = (DockerBottlePlan) bottle.plan();
        assertTrue(AgentImages.isSdkImage(plan.images().base()), plan.images().base());
        assertEquals(AgentImages.DEFAULT_CLAUDE_CODE_VERSION, plan.images().claudeCodeVersion());
        assertTrue(
                plan.toJson().contains("\"claude_code_version\" : \"" + AgentImages.DEFAULT_CLAUDE_CODE_VERSION),
                plan.toJson());
        assertEquals(
                AgentImages.DEFAULT_CLAUDE_CODE_VERSION,
                AgentImages.recordedVersion(TestImages.engine(), plan.images().base()));
        ExecResult v = claude("--version");
        assertEquals(0, v.exitCode(), v.stderr());
        assertTrue(v.stdout().startsWith(AgentImages.DEFAULT_CLAUDE_CODE_VERSION + " "), v.stdout());
        ExecResult id = bottle.exec("/bin/sh", "-c", "id -u; pwd");
        assertEquals("1000\n/workspace\n", id.stdout(), "commands run as uid 1000 in /workspace");
    }

    @Test
    void printModeAnswersThroughEgressWithTheHostTokenWhichNeverEntersTheBottle() throws Exception {
        api.text("MARKER-PRINT-1", "the fake says hello to the bottle");
        ExecResult r = claude("-p", "MARKER-PRINT-1 please answer");
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(r.stdout().contains("the fake says hello to the bottle"), r.stdout());
        List<String> seen = api.seen();
        System.out.println("Claude Code contacted:\n  " + String.join("\n  ", seen));
        assertTrue(
                seen.stream()
                        .anyMatch(l -> l.contains("/v1/messages")
                                && l.contains("cred=" + api.tokenFingerprint())
                                && l.contains("reply=text")),
                seen.toString());
        String placeholder = FakeAnthropicApi.fingerprint("Bearer " + Egress.OAUTH_PLACEHOLDER);
        assertFalse(seen.stream().anyMatch(l -> l.contains("cred=" + placeholder)), "the placeholder never left");
        assertFalse(seen.stream().anyMatch(l -> l.contains("cred=none")), "every request carried the host token");
        ExecResult env = bottle.exec(
                "/bin/sh",
                "-c",
                "env; cat /proc/1/environ; grep -rl \"$1\" /home /workspace /tmp" + " /etc 2>/dev/null; true",
                "x",
                api.token());
        assertFalse(env.stdout().contains(api.token()), "the host token is nowhere in the bottle");
        assertTrue(env.stdout().contains("CLAUDE_CODE_OAUTH_TOKEN=" + Egress.OAUTH_PLACEHOLDER), env.stdout());
    }

    @Test
    void superviseIsRegisteredWhereClaudeCodeFindsIt() {
        ExecResult r = bottle.exec(
                List.of("claude", "mcp", "list"), ExecOptions.defaults().withTimeout(Duration.ofMinutes(1)));
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(r.stdout().contains("supervise") && r.stdout().contains("Connected"), r.stdout());
    }

    @Test
    void aScriptedToolCallReachesTheJavaApprovalHandlerAndTheRouteGoesLive() throws Exception {
        ExecResult before = bottle.exec(
                "curl", "-s", "-o", "/dev/null", "-w", "%{http_connect}", "https://late.example.test/v1/messages");
        assertEquals("403", before.stdout(), "not allowed before approval");
        api.tool(
                "MARKER-TOOL-1",
                "mcp__supervise__egress-allow",
                "{\"host\":\"late.example.test\",\"justification\":\"the task needs it\"}");
        api.text("tool_result", "route requested");
        ExecResult r = claude("-p", "MARKER-TOOL-1 ask for late.example.test");
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(
                proposals.stream()
                        .anyMatch(p -> p.route() != null && p.route().host().equals("late.example.test")),
                proposals.toString());
        ExecResult after = bottle.exec(
                "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "https://late.example.test/v1/messages");
        assertEquals("404", after.stdout(), "egress now lets it through to the fake, which answers 404 to a GET");
    }

    @Test
    void theJavaApiDeliversEachEventInOrderAndTheResultThenResumesTheSession() throws Exception {
        api.tool("MARKER-STREAM-1", "Bash", "{\"command\":\"echo from-the-bash-tool\",\"description\":\"say\"}");
        api.text("from-the-bash-tool", "the tool said its piece");
        List<ClaudeEvent> events = new CopyOnWriteArrayList<>();
        List<Long> arrivals = new CopyOnWriteArrayList<>();
        ClaudeEvent.Result r = ClaudeCode.in(bottle)
                .run(ClaudeTask.of("MARKER-STREAM-1 run a command").withTimeout(Duration.ofMinutes(2)), e -> {
                    events.add(e);
                    arrivals.add(System.nanoTime());
                });
        events.forEach(e -> System.out.println("event: " + e));
        assertFalse(r.isError(), r.toString());
        assertEquals("the tool said its piece", r.text());
        assertTrue(r.turns() >= 2, r.toString());
        assertFalse(r.sessionId().isEmpty());
        List<Class<?>> kinds = events.stream()
                .filter(e -> !(e instanceof ClaudeEvent.Other))
                .<Class<?>>map(Object::getClass)
                .toList();
        assertEquals(
                List.of(
                        ClaudeEvent.SessionStarted.class,
                        ClaudeEvent.ToolUse.class,
                        ClaudeEvent.ToolResult.class,
                        ClaudeEvent.AssistantText.class,
                        ClaudeEvent.Result.class),
                kinds);
        ClaudeEvent.SessionStarted start = (ClaudeEvent.SessionStarted) events.stream()
                .filter(e -> e instanceof ClaudeEvent.SessionStarted)
                .findFirst()
                .orElseThrow();
        assertEquals("/workspace", start.cwd());
        assertTrue(
                start.tools().contains("mcp__supervise__egress-allow"),
                start.tools().toString());
        ClaudeEvent.ToolResult tr = (ClaudeEvent.ToolResult) events.stream()
                .filter(e -> e instanceof ClaudeEvent.ToolResult)
                .findFirst()
                .orElseThrow();
        assertTrue(tr.content().contains("from-the-bash-tool"), tr.toString());
        assertEquals(r.sessionId(), start.sessionId());

        api.text("MARKER-RESUME-1", "resumed fine");
        ClaudeEvent.Result again = ClaudeCode.in(bottle)
                .run(
                        ClaudeTask.of("MARKER-RESUME-1 go on")
                                .resuming(r.sessionId())
                                .withTimeout(Duration.ofMinutes(2)),
                        e -> {});
        assertEquals("resumed fine", again.text());
        assertEquals(r.sessionId(), again.sessionId(), "the same session went on");
        assertTrue(api.bodies().contains("from-the-bash-tool"), "the resumed request carried the earlier turns");
    }

    @Test
    void aTimeoutStopsClaudeCodeAndLeavesNoProcess() throws Exception {
        api.stall("MARKER-SLOW-1", Duration.ofMinutes(5));
        long t0 = System.nanoTime();
        assertThrows(
                ExecTimeoutException.class,
                () -> ClaudeCode.in(bottle)
                        .run(ClaudeTask.of("MARKER-SLOW-1 wait").withTimeout(Duration.ofSeconds(8)), e -> {}));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 30_000, "stopped promptly: " + ms + " ms");
        ExecResult ps = bottle.exec("/bin/sh", "-c", "ps -o pid,args | grep -v grep | grep -c 'claude' || true");
        assertEquals(
                "0", ps.stdout().strip(), bottle.exec("ps", "-o", "pid,args").stdout());
    }

    @Test
    void copyToAndCopyFromRoundTripATreeOwnedByTheAgent() throws Exception {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        byte[] big = new byte[3 * 1024 * 1024 + 7];
        new Random(7).nextBytes(big);
        try (var out = new TarArchiveOutputStream(tar)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            put(out, "task/", null, 040755);
            put(out, "task/README.md", "# the task\n".getBytes(StandardCharsets.UTF_8), 0100644);
            put(out, "task/src/data.bin", big, 0100755);
            put(out, "task/src/unicode-\u00e9\u6f22.txt", "ok".getBytes(StandardCharsets.UTF_8), 0100644);
        }
        bottle.copyTo(new ByteArrayInputStream(tar.toByteArray()), "/workspace/in");
        ExecResult ls = bottle.exec(
                "/bin/sh",
                "-c",
                "stat -c '%u %a %n' /workspace/in/task/README.md"
                        + " /workspace/in/task/src/data.bin; sha256sum /workspace/in/task/src/data.bin");
        assertTrue(ls.stdout().contains("1000 644 /workspace/in/task/README.md"), ls.stdout());
        assertTrue(ls.stdout().contains("1000 755 /workspace/in/task/src/data.bin"), ls.stdout());
        String sha =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(big));
        assertTrue(ls.stdout().contains(sha), ls.stdout());

        ByteArrayOutputStream back = new ByteArrayOutputStream();
        bottle.copyFrom("/workspace/in/task", back);
        Map<String, byte[]> got = new TreeMap<>();
        try (var in = new TarArchiveInputStream(new ByteArrayInputStream(back.toByteArray()))) {
            for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (e.isFile()) {
                    got.put(e.getName(), in.readAllBytes());
                }
            }
        }
        assertEquals(Set.of("task/README.md", "task/src/data.bin", "task/src/unicode-\u00e9\u6f22.txt"), got.keySet());
        assertTrue(Arrays.equals(big, got.get("task/src/data.bin")));

        for (String bad : List.of("../escape.txt", "/etc/evil", "task/../../x")) {
            ByteArrayOutputStream t = new ByteArrayOutputStream();
            try (var out = new TarArchiveOutputStream(t)) {
                put(out, "ok.txt", new byte[] {1}, 0100644);
                put(out, bad, new byte[] {1}, 0100644);
            }
            var ex = assertThrows(
                    BottleException.class,
                    () -> bottle.copyTo(new ByteArrayInputStream(t.toByteArray()), "/workspace/bad"));
            assertTrue(ex.getMessage().contains(bad), ex.getMessage());
        }
        assertEquals(1, bottle.exec("test", "-e", "/workspace/bad/ok.txt").exitCode(), "nothing was unpacked");
    }

    @Test
    void anImageWhoseDefaultUserIsRootWorks() throws Exception {
        DockerBottlePlan plan = (DockerBottlePlan) bottle.plan();
        String rootImage = "bottle-test/claude-root:"
                + plan.images().base().substring(plan.images().base().indexOf(':') + 1);
        Path ctx = Files.createTempDirectory(home, "root-image-");
        Files.writeString(ctx.resolve("Dockerfile"), "FROM " + plan.images().base() + "\nUSER root\nWORKDIR /\n");
        TestImages.engine()
                .build(
                        ctx.toFile(),
                        ctx.resolve("Dockerfile").toFile(),
                        rootImage,
                        Map.of("dev.bottles.role", "test-image"),
                        line -> {});
        Path home2 = Files.createTempDirectory("bottles-claude-root-");
        FakeApiFixture api2 = new FakeApiFixture(home2);
        RunningBottle b2 = null;
        try {
            Map<String, String> settings = new LinkedHashMap<>(api2.settings());
            settings.put("CLAUDE_BOTTLE_IMAGE", rootImage);
            b2 = Bottles.prepare(BottleSpec.builder("claude")
                            .manifest(FakeApiFixture.manifest(true, "Answer briefly."))
                            .home(home2)
                            .userCwd(home2)
                            .backend("docker")
                            .settings(settings)
                            .hostEnvironment(Map.of(FakeApiFixture.TOKEN_ENV, api2.token()))
                            .build())
                    .launch();
            api2.start(b2);
            assertEquals(
                    "1000\n/workspace\n", b2.exec("/bin/sh", "-c", "id -u; pwd").stdout());
            assertTrue(
                    b2.plan().agentCommand().contains("--append-system-prompt-file"),
                    b2.plan().agentCommand().toString());
            api2.text("MARKER-ROOT-1", "root image answered");
            ClaudeEvent.Result r = ClaudeCode.in(b2)
                    .run(ClaudeTask.of("MARKER-ROOT-1 hi").withTimeout(Duration.ofMinutes(2)), e -> {});
            assertEquals("root image answered", r.text());
            assertTrue(api2.bodies().contains("Answer briefly."), "the agent's prompt file was read");
        } finally {
            UpstreamContainer.tearDown(api2.container(), b2, home2);
            TestImages.engine().removeImage(rootImage);
        }
    }

    @Test
    void aKeptBottleKeepsItsTranscriptAndAResumedOneContinuesTheConversation() throws Exception {
        Path home3 = Files.createTempDirectory("bottles-claude-resume-");
        FakeApiFixture api3 = new FakeApiFixture(home3);
        BottleSpec.Builder spec = BottleSpec.builder("claude")
                .manifest(FakeApiFixture.manifest(true))
                .home(home3)
                .userCwd(home3)
                .backend("docker")
                .settings(api3.settings())
                .hostEnvironment(Map.of(FakeApiFixture.TOKEN_ENV, api3.token()));
        RunningBottle first = Bottles.prepare(spec.build()).launch();
        String id = first.identity();
        StateDir state = new BottleHome(home3).state(id);
        RunningBottle second = null;
        try {
            api3.start(first);
            api3.text("MARKER-FIRST-LIFE", "remember the word teapot");
            ClaudeEvent.Result r = ClaudeCode.in(first)
                    .run(ClaudeTask.of("MARKER-FIRST-LIFE hi").withTimeout(Duration.ofMinutes(2)), e -> {});
            assertEquals("remember the word teapot", r.text());
            api3.close();
            first.settle(3);
            assertTrue(Files.isRegularFile(state.transcriptDir().resolve("projects.tar")), "the transcript was kept");
            assertTrue(Files.isDirectory(new BottleHome(home3).queueDir(id)), "the queue stays with it");

            second = Bottles.prepare(spec.identity(id).build()).launch();
            api3.start(second);
            api3.text("MARKER-SECOND-LIFE", "I still remember");
            ClaudeEvent.Result again = ClaudeCode.in(second)
                    .run(
                            ClaudeTask.of("MARKER-SECOND-LIFE what was the word?")
                                    .continuing()
                                    .withTimeout(Duration.ofMinutes(2)),
                            e -> {});
            assertEquals("I still remember", again.text());
            assertEquals(r.sessionId(), again.sessionId(), "--continue picked the restored session up");
            String bodies = api3.bodies();
            String second2 = bodies.substring(bodies.indexOf("MARKER-SECOND-LIFE"));
            assertTrue(bodies.contains("remember the word teapot"), "the earlier turns went with the request");
            assertTrue(second2.length() > 0);
            api3.close();
            second.settle(0);
            second = null;
            assertFalse(Files.exists(state.path()), "a zero exit removes the state");
            assertFalse(Files.exists(new BottleHome(home3).queueDir(id)), "and the queue with it");
        } finally {
            UpstreamContainer.tearDown(api3.container(), second, home3);
            if (second == null) {
                assertEquals(Set.of(), TestImages.labelled(id));
            }
        }
    }

    private static void put(TarArchiveOutputStream out, String name, byte[] content, int mode) throws IOException {
        var e = new TarArchiveEntry(name, true);
        e.setMode(mode);
        e.setIds(0, 0);
        if (content != null) {
            e.setSize(content.length);
        }
        out.putArchiveEntry(e);
        if (content != null) {
            out.write(content);
        }
        out.closeArchiveEntry();
    }
}
