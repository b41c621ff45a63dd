package dev.bottles.docker.claude;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.Decision;
import dev.bottles.ExecOptions;
import dev.bottles.ExecResult;
import dev.bottles.Proposal;
import dev.bottles.RunningBottle;
import dev.bottles.docker.DockerBottlePlan;
import dev.bottles.docker.internal.AgentImages;
import dev.bottles.docker.testimages.FakeApiFixture;
import dev.bottles.docker.testimages.TestImages;
import dev.bottles.docker.testimages.UpstreamContainer;
import dev.bottles.sidecars.Egress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
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
        BottleSpec spec = BottleSpec.builder("claude").manifest(FakeApiFixture.manifest(true)).home(home).userCwd(home)
                .backend("docker").settings(api.settings()).hostEnvironment(Map.of(FakeApiFixture.TOKEN_ENV, api.token()))
                .approvals(p -> {
                    proposals.add(p);
                    return CompletableFuture.completedFuture(p.route() != null
                            && p.route().host().equals("late.example.test") ? Decision.approve()
                            : Decision.reject("only late.example.test"));
                }).build();
        var prepared = Bottles.prepare(spec);
        DockerBottlePlan plan = (DockerBottlePlan) prepared.plan();
        TestImages.removeAtExitIfNew(plan.baseImage());
        TestImages.removeAtExitIfNew(plan.bundleImage().reference());
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
        List<String> argv = new java.util.ArrayList<>(List.of("claude", "--dangerously-skip-permissions"));
        argv.addAll(List.of(args));
        return bottle.exec(argv, ExecOptions.defaults().withTimeout(Duration.ofMinutes(2)));
    }

    @Test
    void theImageHoldsThePinnedClaudeCodeAndSaysSo() {
        DockerBottlePlan plan = (DockerBottlePlan) bottle.plan();
        assertTrue(AgentImages.isSdkImage(plan.baseImage()), plan.baseImage());
        assertEquals(AgentImages.DEFAULT_CLAUDE_CODE_VERSION, plan.claudeCodeVersion());
        assertTrue(plan.toJson().contains("\"claude_code_version\" : \"" + AgentImages.DEFAULT_CLAUDE_CODE_VERSION),
                plan.toJson());
        assertEquals(AgentImages.DEFAULT_CLAUDE_CODE_VERSION, AgentImages.recordedVersion(TestImages.engine(),
                plan.baseImage()));
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
        assertTrue(seen.stream().anyMatch(l -> l.contains("/v1/messages") && l.contains("cred=" + api.tokenFingerprint())
                && l.contains("reply=text")), seen.toString());
        String placeholder = dev.bottles.testkit.FakeAnthropicApi.fingerprint("Bearer " + Egress.OAUTH_PLACEHOLDER);
        assertFalse(seen.stream().anyMatch(l -> l.contains("cred=" + placeholder)), "the placeholder never left");
        assertFalse(seen.stream().anyMatch(l -> l.contains("cred=none")), "every request carried the host token");
        ExecResult env = bottle.exec("/bin/sh", "-c", "env; cat /proc/1/environ; grep -rl \"$1\" /home /workspace /tmp"
                + " /etc 2>/dev/null; true", "x", api.token());
        assertFalse(env.stdout().contains(api.token()), "the host token is nowhere in the bottle");
        assertTrue(env.stdout().contains("CLAUDE_CODE_OAUTH_TOKEN=" + Egress.OAUTH_PLACEHOLDER), env.stdout());
    }

    @Test
    void superviseIsRegisteredWhereClaudeCodeFindsIt() {
        ExecResult r = bottle.exec(List.of("claude", "mcp", "list"), ExecOptions.defaults().withTimeout(
                Duration.ofMinutes(1)));
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(r.stdout().contains("supervise") && r.stdout().contains("Connected"), r.stdout());
    }

    @Test
    void aScriptedToolCallReachesTheJavaApprovalHandlerAndTheRouteGoesLive() throws Exception {
        ExecResult before = bottle.exec("curl", "-s", "-o", "/dev/null", "-w", "%{http_connect}",
                "https://late.example.test/v1/messages");
        assertEquals("403", before.stdout(), "not allowed before approval");
        api.tool("MARKER-TOOL-1", "mcp__supervise__egress-allow",
                "{\"host\":\"late.example.test\",\"justification\":\"the task needs it\"}");
        api.text("tool_result", "route requested");
        ExecResult r = claude("-p", "MARKER-TOOL-1 ask for late.example.test");
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(proposals.stream().anyMatch(p -> p.route() != null && p.route().host().equals("late.example.test")),
                proposals.toString());
        ExecResult after = bottle.exec("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                "https://late.example.test/v1/messages");
        assertEquals("404", after.stdout(), "egress now lets it through to the fake, which answers 404 to a GET");
    }
}
