package dev.bottles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.GitRemote;
import dev.bottles.manifest.GitUpstream;
import dev.bottles.manifest.Manifest;
import dev.bottles.manifest.RouteAuth;
import dev.bottles.spi.CleanupReport;
import dev.bottles.spi.CleanupRequest;
import dev.bottles.state.BottleHome;
import dev.bottles.state.BottleMetadata;
import dev.bottles.state.Owner;
import dev.bottles.state.StateDir;
import dev.bottles.testing.ScriptedBackend;
import dev.bottles.testing.ScriptedBackend.ScriptedPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BottlesTest {
    @TempDir
    Path tmp;

    private final ScriptedBackend backend = new ScriptedBackend();

    private static Manifest manifest() {
        return Manifest.builder()
                .bottle(BottleDefinition.builder("dev")
                        .literal("MODE", "test")
                        .fromHost("GITHUB_TOKEN", "GH_PAT")
                        .secret("GITEA_TOKEN", "paste it")
                        .build())
                .agent(AgentDefinition.builder("coder")
                        .bottle("dev")
                        .prompt("be careful")
                        .build())
                .build();
    }

    private BottleSpec.Builder spec() {
        return BottleSpec.builder("coder")
                .manifest(manifest())
                .home(tmp.resolve("home"))
                .userCwd(tmp)
                .hostEnvironment(Map.of("GH_PAT", "ghp_realHostSecret123"))
                .secretPrompter(SecretPrompter.fromMap(Map.of("GITEA_TOKEN", "gitea-secret-456")));
    }

    private BottleHome home() {
        return new BottleHome(tmp.resolve("home"));
    }

    @Test
    void prepareWritesStateAndMetadataButStartsNothing() throws IOException {
        PreparedBottle p = Bottles.using(backend).prepare(spec().build());

        assertTrue(p.identity().matches("coder-[a-z0-9]{5}"), p.identity());
        assertEquals(List.of("prepare " + p.identity()), backend.calls, "prepare only; no launch, no probe");
        assertTrue(backend.running.isEmpty());
        StateDir state = home().state(p.identity());
        BottleMetadata m = state.readMetadata().orElseThrow();
        assertEquals(new BottleMetadata(p.identity(), "coder", "", false, m.startedAt(), "", "scripted"), m);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.metadataFile())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.path())));
        assertEquals("be careful", Files.readString(state.path().resolve("agent/prompt.txt")));
    }

    @Test
    void copyCwdIsRecordedInMetadata() {
        PreparedBottle p = Bottles.using(backend).prepare(spec().copyCwd(true).build());
        BottleMetadata m = home().state(p.identity()).readMetadata().orElseThrow();
        assertTrue(m.copyCwd());
        assertEquals(tmp.toString(), m.cwd());
    }

    @Test
    void forwardedValuesReachThePlanButNoFileNameOrJson() throws IOException {
        PreparedBottle p = Bottles.using(backend).prepare(spec().build());
        ScriptedPlan plan = (ScriptedPlan) p.plan();
        assertEquals(Map.of("MODE", "test"), plan.literals());
        assertEquals(
                Map.of("GITHUB_TOKEN", "ghp_realHostSecret123", "GITEA_TOKEN", "gitea-secret-456"), plan.forwarded());
        assertFalse(plan.toJson().contains("Secret123") || plan.toJson().contains("secret-456"), plan.toJson());
        try (var files = Files.walk(home().root())) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String text = Files.readString(f);
                assertFalse(text.contains("ghp_realHostSecret123") || text.contains("gitea-secret-456"), f.toString());
            }
        }
    }

    @Test
    void aFailedPrepareRemovesTheFreshStateButKeepsAResumedOne() {
        backend.failPrepare = new BottleException("image claude-bottle:latest is missing; build it");
        BottleException e =
                assertThrows(BottleException.class, () -> Bottles.using(backend).prepare(spec().build()));
        assertEquals("image claude-bottle:latest is missing; build it", e.getMessage());
        assertEquals(List.of(), home().states());

        StateDir old = home().state("coder-r3sum").create();
        old.preserve();
        assertThrows(
                BottleException.class,
                () -> Bottles.using(backend)
                        .prepare(spec().identity("coder-r3sum").build()));
        assertTrue(old.exists(), "a resumed bottle's state survives a failed prepare");
    }

    @Test
    void aBackendBugInPrepareIsWrappedNamingTheBackend() {
        backend.failPrepare = new IllegalStateException("boom");
        BottleException e =
                assertThrows(BottleException.class, () -> Bottles.using(backend).prepare(spec().build()));
        assertTrue(e.getMessage().startsWith("backend scripted failed to prepare bottle coder-"), e.getMessage());
        assertSame(backend.failPrepare, e.getCause());
    }

    @Test
    void prepareClearsALeftoverPreserveMarkerOnResume() {
        StateDir old = home().state("coder-r3sum").create();
        old.preserve();
        PreparedBottle p =
                Bottles.using(backend).prepare(spec().identity("coder-r3sum").build());
        assertEquals("coder-r3sum", p.identity());
        assertFalse(old.isPreserved());
    }

    @Test
    void launchExecAndCloseRunAndCloseIsIdempotent() {
        RunningBottle b = Bottles.using(backend).prepare(spec().build()).launch();
        assertEquals(new ExecResult(0, "hello there\n", "", Duration.ZERO), b.exec("echo", "hello", "there"));
        assertEquals(3, b.exec("exit", "3").exitCode());
        assertEquals("bye\n", b.exec("exit", "3").stderr());
        ExecTimeoutException t = assertThrows(
                ExecTimeoutException.class,
                () -> b.exec(List.of("sleep", "9"), ExecOptions.defaults().withTimeout(Duration.ofMillis(50))));
        assertEquals("partial", t.partialResult().stdout());

        b.close();
        b.close();
        assertEquals(
                1, backend.calls.stream().filter(c -> c.startsWith("close")).count());
        assertFalse(home().state(b.identity()).exists(), "close removes the state dir");
        assertThrows(IllegalStateException.class, () -> b.exec("echo"));
        assertThrows(
                IllegalArgumentException.class,
                () -> Bottles.using(backend).prepare(spec().build()).launch().exec(List.of()));
    }

    @Test
    void settleZeroRemovesStateAndNonZeroPreservesIt() {
        RunningBottle ok = Bottles.using(backend).prepare(spec().build()).launch();
        ok.settle(0);
        assertFalse(home().state(ok.identity()).exists());

        RunningBottle failed = Bottles.using(backend).prepare(spec().build()).launch();
        failed.settle(130);
        StateDir s = home().state(failed.identity());
        assertTrue(s.exists() && s.isPreserved(), "exit 130 keeps the state for resume");
        assertTrue(s.readMetadata().isPresent());
        assertFalse(backend.running.contains(failed.identity()), "the runtime is torn down either way");
    }

    @Test
    void aPreservedBottleKeepsItsStateEvenOnExitZero() {
        RunningBottle b = Bottles.using(backend).prepare(spec().build()).launch();
        home().state(b.identity()).preserve();
        b.settle(0);
        assertTrue(
                home().state(b.identity()).exists(), "an approved capability change marks .preserve before teardown");
    }

    @Test
    void aFailedLaunchRemovesFreshStateAndNamesTheStep() {
        PreparedBottle p = Bottles.using(backend).prepare(spec().build());
        backend.failLaunch = ScriptedBackend.launchFailure(p.identity());
        BottleLaunchException e = assertThrows(BottleLaunchException.class, p::launch);
        assertEquals("create-network", e.step());
        assertFalse(home().state(p.identity()).exists());
        assertThrows(IllegalStateException.class, p::launch, "a prepared bottle launches once");

        PreparedBottle q = Bottles.using(backend).prepare(spec().build());
        backend.failLaunch = new IllegalStateException("engine hiccup");
        BottleLaunchException wrapped = assertThrows(BottleLaunchException.class, q::launch);
        assertEquals("launch", wrapped.step());
        assertTrue(wrapped.getMessage().contains("engine hiccup"), wrapped.getMessage());
    }

    @Test
    void discardRemovesAFreshBottlesState() {
        PreparedBottle p = Bottles.using(backend).prepare(spec().build());
        p.discard();
        p.discard();
        assertFalse(home().state(p.identity()).exists());
        assertThrows(IllegalStateException.class, p::launch);
    }

    @Test
    void listenersHearEveryPhaseInOrder() {
        List<BottleEvent> events = new ArrayList<>();
        RunningBottle b = Bottles.using(backend)
                .prepare(spec().listener(events::add).build())
                .launch();
        b.exec("echo", "x");
        b.settle(0);
        assertEquals(
                List.of(
                        "SELECT/select",
                        "VALIDATE/validate",
                        "PREPARE/prepare",
                        "LAUNCH/start",
                        "LAUNCH/launch",
                        "EXEC/echo",
                        "SETTLE/settle",
                        "CLOSE/close"),
                events.stream().map(e -> e.phase() + "/" + e.step()).toList());
        assertTrue(events.stream()
                .allMatch(e -> e.succeeded()
                        && !e.duration().isNegative()
                        && e.identity().equals(b.identity())
                        && e.backend().equals("scripted")));
        assertTrue(events.get(4).isPhase() && !events.get(3).isPhase());
    }

    @Test
    void aListenerThatThrowsDoesNotBreakTheBottle() {
        RunningBottle b = Bottles.using(backend)
                .prepare(spec().listener(e -> {
                            throw new IllegalStateException("listener bug");
                        })
                        .build())
                .launch();
        assertEquals(0, b.exec("echo").exitCode());
        b.close();
    }

    @Test
    void phasesAreRecordedAsJfrEvents() throws IOException {
        Path file = tmp.resolve("bottles.jfr");
        try (Recording r = new Recording()) {
            r.enable("dev.bottles.Phase");
            r.start();
            RunningBottle b = Bottles.using(backend).prepare(spec().build()).launch();
            b.close();
            r.stop();
            r.dump(file);
        }
        List<String> steps = new ArrayList<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getEventType().getName().equals("dev.bottles.Phase")) {
                steps.add(e.getString("phase") + "/" + e.getString("step") + "/" + e.getBoolean("succeeded"));
            }
        }
        assertEquals(
                List.of(
                        "VALIDATE/validate/true",
                        "PREPARE/prepare/true",
                        "LAUNCH/start/true",
                        "LAUNCH/launch/true",
                        "CLOSE/close/true"),
                steps);
    }

    @Test
    void hostValidationReportsEveryProblemBeforeCreatingAnything() throws IOException {
        Path unreadable = tmp.resolve("no-such-key");
        Files.createDirectories(tmp.resolve("skills/present"));
        Manifest m = Manifest.builder()
                .bottle(BottleDefinition.builder("dev")
                        .fromHost("GITHUB_TOKEN", "GH_PAT")
                        .secret("S", "")
                        .git(new GitRemote("repo", GitUpstream.parse("ssh://git@h.example/r.git"), unreadable, null))
                        .route(EgressRoute.to("api.example.com").withAuth(RouteAuth.bearer("API_TOKEN")))
                        .build())
                .agent(AgentDefinition.builder("coder")
                        .bottle("dev")
                        .skill("present")
                        .skill("absent")
                        .build())
                .build();
        BottleSpec s = BottleSpec.builder("coder")
                .manifest(m)
                .home(tmp.resolve("home"))
                .hostEnvironment(Map.of())
                .settings(Map.of("BOTTLE_SKILLS_DIR", tmp.resolve("skills").toString()))
                .build();

        ManifestException e = assertThrows(
                ManifestException.class, () -> Bottles.using(backend).prepare(s));
        assertEquals(
                List.of(
                        "env.GITHUB_TOKEN",
                        "env.S",
                        "git[0].IdentityFile",
                        "egress.routes[0].auth.token_ref",
                        "skills[1]"),
                e.problems().stream().map(p -> p.field().orElse("")).toList());
        assertTrue(e.getMessage().contains("host variable GH_PAT, which is not set"), e.getMessage());
        assertTrue(e.getMessage().contains("no SecretPrompter was given"), e.getMessage());
        assertTrue(e.getMessage().contains("export API_TOKEN"), e.getMessage());
        assertTrue(backend.calls.isEmpty(), "the backend's prepare never ran");
        assertFalse(Files.exists(tmp.resolve("home/state")), "nothing was created");
    }

    @Test
    void anUndefinedAgentSuggestsTheClosestName() {
        ManifestException e = assertThrows(
                ManifestException.class,
                () -> Bottles.using(backend)
                        .prepare(BottleSpec.builder("codr")
                                .manifest(manifest())
                                .home(tmp.resolve("home"))
                                .build()));
        assertTrue(e.fix().startsWith("did you mean 'coder'?"), e.fix());
    }

    @Test
    void definitionsAreLoadedFromTheHomeWhenNoneAreGiven() throws IOException {
        Path h = tmp.resolve("home");
        Files.createDirectories(h.resolve("bottles"));
        Files.createDirectories(h.resolve("agents"));
        Files.writeString(h.resolve("bottles/dev.md"), "---\nenv:\n  MODE: files\n---\n");
        Files.writeString(h.resolve("agents/coder.md"), "---\nbottle: dev\n---\nfrom a file\n");
        PreparedBottle p = Bottles.using(backend)
                .prepare(BottleSpec.builder("coder")
                        .home(h)
                        .userCwd(tmp)
                        .hostEnvironment(Map.of())
                        .build());
        assertEquals(Map.of("MODE", "files"), ((ScriptedPlan) p.plan()).literals());
    }

    @Test
    void discoveryChoosesByPriorityAndHonoursTheSpec() {
        PreparedBottle p = Bottles.prepare(spec().build());
        assertEquals("alpha", p.backend().id());
        assertEquals(
                "beta",
                Bottles.prepare(spec().backend("beta").build()).backend().id());
        assertEquals(
                "beta",
                Bottles.prepare(spec().hostEnvironment(Map.of("GH_PAT", "x", "BOTTLE_BACKEND", "beta"))
                                .build())
                        .backend()
                        .id());
        assertThrows(
                BackendUnavailableException.class,
                () -> Bottles.prepare(spec().backend("gamma").build()));
        assertEquals(
                List.of(
                        "alpha",
                        "beta",
                        "gamma",
                        "dev.bottles.testing.TestBackends$Broken",
                        "dev.bottles.testing.NoSuchBackend"),
                Bottles.backends().stream().map(BackendStatus::id).toList());
    }

    @Test
    void resumingRebuildsTheSpecFromMetadata() {
        PreparedBottle p = Bottles.using(backend).prepare(spec().copyCwd(true).build());
        BottleSpec again =
                BottleSpec.resuming(home(), p.identity()).manifest(manifest()).build();
        assertEquals(p.identity(), again.identity());
        assertEquals("coder", again.agent());
        assertEquals("scripted", again.backend());
        assertTrue(again.copyCwd());
        assertEquals(tmp, again.userCwd());
        BottleException e = assertThrows(BottleException.class, () -> BottleSpec.resuming(home(), "coder-nope1"));
        assertTrue(e.getMessage().contains("has no state to resume"), e.getMessage());
    }

    @Test
    void cleanupReapsStateWithoutPreserveAndReportsOnADryRun() {
        StateDir kept = home().state("coder-keep1").create();
        kept.preserve();
        StateDir orphan = home().state("coder-orph1").create();
        orphan.writeOwner(new Owner(Owner.localHost(), Long.MAX_VALUE, Instant.ofEpochMilli(1))); // its owner is gone
        StateDir owned = home().state("coder-mine1").create();
        owned.writeOwner(Owner.current()); // a live program's bottle, launching or running
        StateDir fresh = home().state("coder-new01").create(); // being created this moment, no owner yet
        StateDir launching = home().state("coder-det01").create(); // launched detached by this live program
        launching.writeOwner(Owner.current(), true);
        StateDir crashed = home().state("coder-crsh1").create(); // its owner died while it ran
        crashed.writeOwner(new Owner(Owner.localHost(), Long.MAX_VALUE, Instant.ofEpochMilli(1)));
        crashed.markLaunched();

        CleanupReport dry = Bottles.cleanup(CleanupRequest.reportOnly(), home());
        String why = "state " + orphan.path() + " (never came up; owner pid " + Long.MAX_VALUE + " on "
                + Owner.localHost() + " is gone)";
        assertEquals(List.of(why), dry.removed(), "each item with its reason");
        assertTrue(orphan.exists(), "a dry run removes nothing");

        CleanupReport done = Bottles.cleanup(CleanupRequest.remove(), home());
        assertEquals(List.of(why), done.removed());
        assertEquals(List.of(), done.failed());
        assertFalse(orphan.exists());
        assertTrue(kept.exists(), "a preserved bottle is kept for resume");
        assertTrue(owned.exists(), "a live owner's state is never removed");
        assertTrue(fresh.exists(), "nor one being created");
        assertTrue(launching.exists(), "nor a detached one its launcher is launching");
        assertTrue(crashed.isPreserved(), "a crashed bottle's state is kept for resume");
        assertTrue(
                dry.removed().stream().noneMatch(r -> r.contains(crashed.path().toString())));
    }

    @Test
    void specsNeverPrintTheHostEnvironment() {
        String s =
                spec().settings(Map.of("CLAUDE_BOTTLE_IMAGE", "img:1")).build().toString();
        assertFalse(s.contains("ghp_realHostSecret123") || s.contains("img:1"), s);
        assertTrue(s.contains("CLAUDE_BOTTLE_IMAGE"), s);
    }
}
