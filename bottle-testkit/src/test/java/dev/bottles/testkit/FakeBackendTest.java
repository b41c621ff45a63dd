package dev.bottles.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BackendStatus;
import dev.bottles.BottleException;
import dev.bottles.BottleLaunchException;
import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.ExecOptions;
import dev.bottles.ExecResult;
import dev.bottles.ExecTimeoutException;
import dev.bottles.PreparedBottle;
import dev.bottles.RunningBottle;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.Manifest;
import dev.bottles.manifest.RouteAuth;
import dev.bottles.sidecars.EgressDecision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FakeBackendTest {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    @TempDir
    Path home;

    private final FakeBackend fake = new FakeBackend(Clock.fixed(T0, ZoneOffset.UTC));

    private BottleSpec.Builder spec() {
        Manifest m = Manifest.builder()
                .bottle(BottleDefinition.builder("dev")
                        .fromHost("GH", "GH_PAT")
                        .route(EgressRoute.to("api.github.com")
                                .withPaths("/repos/me/")
                                .withAuth(RouteAuth.token("GH_TOKEN")))
                        .build())
                .agent(AgentDefinition.builder("coder")
                        .bottle("dev")
                        .prompt("hi")
                        .build())
                .build();
        return BottleSpec.builder("coder")
                .manifest(m)
                .home(home)
                .hostEnvironment(Map.of("GH_PAT", "pat-value", "GH_TOKEN", "route-token"));
    }

    @Test
    void rulesAnswerCommandsNewestFirstAndUnknownCommandsGet127() {
        fake.onExec("claude").reply(0, "first\n", "");
        fake.onExec("claude", "-p").reply(0, "second\n", "");
        fake.onExec(argv -> argv.contains("--fail")).replyWith(argv -> ExecReply.of(2, "", "asked " + argv + "\n"));
        try (RunningBottle b = Bottles.using(fake).prepare(spec().build()).launch()) {
            assertEquals("second\n", b.exec("claude", "-p", "x").stdout());
            assertEquals("first\n", b.exec("claude", "--continue").stdout());
            assertEquals(new ExecResult(2, "", "asked [claude, --fail]\n", Duration.ZERO), b.exec("claude", "--fail"));
            ExecResult unknown = b.exec("terraform", "apply");
            assertEquals(127, unknown.exitCode());
            assertTrue(unknown.stderr().contains("stub it with onExec"), unknown.stderr());
        }
    }

    @Test
    void aSlowRuleTimesOutWithoutWaiting() {
        fake.onExec("build").taking(Duration.ofMinutes(20)).reply(0, "done\n", "");
        try (RunningBottle b = Bottles.using(fake).prepare(spec().build()).launch()) {
            long t0 = System.nanoTime();
            assertThrows(
                    ExecTimeoutException.class,
                    () -> b.exec(List.of("build"), ExecOptions.defaults().withTimeout(Duration.ofMinutes(10))));
            assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "simulated time, not real time");
            assertEquals(
                    Duration.ofMinutes(20),
                    b.exec(List.of("build"), ExecOptions.defaults().withTimeout(Duration.ofMinutes(30)))
                            .duration());
        }
    }

    @Test
    void theEventLogTellsTheWholeStoryOnTheGivenClock() {
        RunningBottle b = Bottles.using(fake).prepare(spec().build()).launch();
        b.exec("echo", "x");
        b.settle(4);
        // a kept state first gets Claude Code's transcripts snapshotted (one more command), as on a real backend
        assertEquals(
                List.of("PREPARED", "LAUNCHED", "EXEC", "EXEC", "SETTLED", "CLOSED"),
                fake.events(b.identity()).stream().map(e -> e.kind().name()).toList());
        assertEquals(List.of("echo", "x"), fake.commands(b.identity()).get(0));
        assertTrue(String.join(" ", fake.commands(b.identity()).get(1)).contains("tar -c -f - -C \"$HOME/.claude\""));
        assertEquals(List.of("4"), fake.events(b.identity()).get(4).argv());
        assertTrue(fake.events().stream().allMatch(e -> e.at().equals(T0)));
    }

    @Test
    void theAgentEnvironmentIsTheRealOneWithForwardedValuesButNoRouteToken() {
        try (RunningBottle b = Bottles.using(fake).prepare(spec().build()).launch()) {
            String env = b.exec("env").stdout();
            assertTrue(env.contains("GH=pat-value\n"), "a ${VAR} entry reaches the agent");
            assertTrue(env.contains("NO_PROXY=localhost,127.0.0.1\n"), env);
            assertFalse(env.contains("route-token"));
            assertEquals(
                    "x\n",
                    b.exec(List.of("printenv", "EXTRA"), ExecOptions.defaults().withEnv("EXTRA", "x"))
                            .stdout());
        }
    }

    @Test
    void aFailedLaunchRollsBackWhatItCreatedAndIsLogged() {
        PreparedBottle p = Bottles.using(fake).prepare(spec().build());
        fake.failNextLaunchAt("provision");
        BottleLaunchException e = assertThrows(BottleLaunchException.class, p::launch);
        assertEquals("provision", e.step());
        assertTrue(e.getMessage().contains("container claude-bottle-" + p.identity()), e.getMessage());
        assertEquals(Set.of(), fake.resources(p.identity()));
        assertEquals(
                FakeEvent.Kind.LAUNCH_FAILED, fake.events(p.identity()).get(1).kind());
        assertThrows(IllegalArgumentException.class, () -> fake.failNextLaunchAt("teleport"));
    }

    @Test
    void policyQuestionsAreAnsweredFromTheRealPlan() throws Exception {
        PreparedBottle p = Bottles.using(fake).prepare(spec().build());
        FakeBottlePlan plan = (FakeBottlePlan) p.plan();
        EgressDecision ok = plan.wouldAllow("https://api.github.com/repos/me/app/pulls");
        assertTrue(ok.allowed() && ok.injectsCredential(), ok.reason());
        assertFalse(plan.wouldAllow("https://api.github.com/repos/them/app").allowed());
        assertFalse(plan.wouldAllow("https://pastebin.com/raw/x").allowed());
        assertTrue(Files.readString(plan.sidecars().egress().routesFile()).contains("token_ref: GH_TOKEN"));
        assertFalse(plan.toJson().contains("pat-value"), plan.toJson());
        p.discard();
    }

    @Test
    void neverPreferredByDiscoveryOverARealBackend() {
        BottleException e = assertThrows(BottleException.class, () -> Bottles.prepare(spec().build()));
        assertTrue(
                e.getMessage().startsWith("backend realistic failed to prepare"),
                "discovery chose the real one: " + e.getMessage());
        assertEquals(Integer.MIN_VALUE, fake.priority());
    }

    @Test
    void bottleBackendFakeSelectsItFromTheEnvironment() {
        Map<String, String> env = Map.of("GH_PAT", "p", "GH_TOKEN", "t", "BOTTLE_BACKEND", "fake");
        PreparedBottle p = Bottles.prepare(spec().hostEnvironment(env).build());
        assertEquals("fake", p.backend().id());
        p.discard();
        List<BackendStatus> all = Bottles.backends();
        assertEquals(
                List.of("realistic", "fake"),
                all.stream().map(BackendStatus::id).toList());
    }
}
