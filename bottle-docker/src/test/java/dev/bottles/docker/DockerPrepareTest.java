package dev.bottles.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleException;
import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.PreparedBottle;
import dev.bottles.docker.internal.AgentImages;
import dev.bottles.dockerengine.DockerEngine;
import dev.bottles.dockerengine.TestTransports;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.Manifest;
import dev.bottles.manifest.RouteAuth;
import dev.bottles.state.BottleHome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The docker backend's prepare, against a recorded engine: names, images, files, runtime. */
class DockerPrepareTest {
    @TempDir
    Path home;

    private BottleSpec.Builder spec() {
        return spec(false);
    }

    private BottleSpec.Builder spec(boolean supervise) {
        Manifest m = Manifest.builder()
                .bottle(BottleDefinition.builder("dev")
                        .supervise(supervise)
                        .literal("MODE", "x")
                        .fromHost("GH", "GH_PAT")
                        .route(EgressRoute.to("api.example.com").withAuth(RouteAuth.bearer("API_TOKEN")))
                        .build())
                .agent(AgentDefinition.builder("coder")
                        .bottle("dev")
                        .prompt("be brief")
                        .build())
                .build();
        return BottleSpec.builder("coder")
                .manifest(m)
                .home(home)
                .userCwd(home)
                .hostEnvironment(Map.of("GH_PAT", "pat-secret", "API_TOKEN", "tok-secret"));
    }

    private static DockerBottlePlan prepare(DockerEngine e, BottleSpec s) {
        return (DockerBottlePlan) Bottles.using(new DockerBackend(e)).prepare(s).plan();
    }

    @Test
    void aFreshBottleGetsTheOriginalsNamesAndFiles() throws Exception {
        DockerEngine e = TestTransports.engine(Set.of(), Set.of("runc"), Set.of());
        DockerBottlePlan p = prepare(e, spec().build());
        String id = p.identity();
        assertEquals("claude-bottle-" + id, p.agent().container());
        assertEquals("claude-bottle-sidecars-" + id, p.bundleName());
        assertEquals("claude-bottle-net-" + id, p.networks().internal());
        assertEquals("claude-bottle-egress-" + id, p.networks().egress());
        assertEquals(AgentImages.reference(Map.of()), p.images().image(), "the SDK's own image");
        assertEquals(AgentImages.DEFAULT_CLAUDE_CODE_VERSION, p.images().claudeCodeVersion());
        assertEquals("1000", p.agent().user(), "commands run as uid 1000 whatever the image says");
        assertEquals("claude-bottle-" + id, p.composeProject());
        assertEquals(16, p.networks().subnets().size());
        assertTrue(p.networks().egressSubnets().get(0).cidr().startsWith("10.213."));
        assertNull(p.runtime().name());
        assertEquals(
                "default runtime: the engine has no runsc (gVisor) registered",
                p.runtime().note());

        Path env = p.stateDir().resolve("agent/agent.env");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(env)));
        String text = Files.readString(env);
        String access = p.bundle().sidecars().access().token();
        assertTrue(
                text.contains("MODE=x\n")
                        && text.contains("HTTPS_PROXY=http://bottle:" + access + "@"
                                + p.networks().subnets().get(0).bundleIp() + ":8080\n"),
                text);
        assertFalse(text.contains("pat-secret") || text.contains("tok-secret"), "agent.env holds literals only");
        assertEquals("be brief", Files.readString(p.stateDir().resolve("agent/prompt.txt")));
        assertEquals("tok-secret", p.bundle().routeTokens().get("API_TOKEN"));
        assertEquals(access, p.bundle().routeTokens().get("CLAUDE_BOTTLE_ACCESS_TOKEN"));
        assertFalse(p.toString().contains("tok-secret") || p.toJson().contains("pat-secret"));
        assertFalse(p.toJson().contains(access), "the printed plan masks the access credential");
        assertEquals(
                "claude-bottle-" + id,
                new BottleHome(home).state(id).readMetadata().orElseThrow().composeProject());
    }

    @Test
    void aTakenNameMovesToTheNextSuffix() {
        DockerEngine e = TestTransports.engine(
                Set.of("claude-bottle-coder-abcde", "claude-bottle-coder-abcde-2"), Set.of(), Set.of());
        assertEquals(
                "claude-bottle-coder-abcde-3",
                prepare(e, spec().identity("coder-abcde").build()).agent().container());
    }

    @Test
    void aPinnedNameThatExistsIsRefusedWithTheFix() {
        DockerEngine e = TestTransports.engine(Set.of("mine"), Set.of(), Set.of());
        BottleException ex = assertThrows(
                BottleException.class,
                () -> prepare(
                        e, spec().setting(DockerSettings.CONTAINER, "mine").build()));
        assertEquals(
                "container 'mine' already exists (pinned via CLAUDE_BOTTLE_CONTAINER). Remove it with"
                        + " 'docker rm -f mine' or unset the override",
                ex.getMessage());
        assertTrue(prepare(
                        TestTransports.engine(Set.of(), Set.of(), Set.of()),
                        spec().setting(DockerSettings.CONTAINER, "mine").build())
                .agent()
                .containerPinned());
    }

    @Test
    void imagesFollowTheSettingsThePerBottleDockerfileAndTheCwdCopy() throws Exception {
        DockerEngine e = TestTransports.engine(Set.of(), Set.of(), Set.of());
        assertEquals(
                "my/agent:2",
                prepare(e, spec().setting(DockerSettings.IMAGE, "my/agent:2").build())
                        .images()
                        .image());

        DockerBottlePlan cwd = prepare(e, spec().copyCwd(true).build());
        assertEquals("claude-bottle:cwd-" + cwd.identity(), cwd.images().image());
        assertEquals(AgentImages.reference(Map.of()), cwd.images().base());
        assertEquals(home, cwd.images().derivedFrom());

        new BottleHome(home).state("coder-rebu1").create();
        Files.writeString(
                new BottleHome(home).state("coder-rebu1").dockerfile(), "FROM claude-bottle:latest\nRUN true\n");
        DockerBottlePlan rebuilt = prepare(e, spec().identity("coder-rebu1").build());
        assertEquals("claude-bottle-rebuilt-coder-rebu1", rebuilt.images().image());
        assertEquals(
                new BottleHome(home).state("coder-rebu1").dockerfile(),
                rebuilt.images().rebuiltDockerfile());
        assertEquals(
                "FROM claude-bottle:latest\nRUN true\n",
                Files.readString(
                        rebuilt.bundle().sidecars().supervise() == null
                                ? rebuilt.images().rebuiltDockerfile()
                                : rebuilt.bundle().sidecars().supervise().baseDockerfile()));
    }

    @Test
    void gvisorIsUsedOnlyAfterItRanATestContainer() {
        DockerEngine untested = TestTransports.engine(Set.of(), Set.of("runc", "runsc"), Set.of());
        DockerBottlePlan p = prepare(untested, spec().build());
        assertNull(p.runtime().name());
        assertTrue(
                p.runtime().note().contains("runsc is registered but untested"),
                p.runtime().note());

        DockerEngine works =
                TestTransports.engine(Set.of(), Set.of("runc", "runsc"), Set.of(AgentImages.reference(Map.of())));
        assertEquals("runsc", prepare(works, spec().build()).runtime().name());
        assertEquals(List.of("runsc"), TestTransports.runtimesStarted(works));

        DockerEngine off =
                TestTransports.engine(Set.of(), Set.of("runc", "runsc"), Set.of(AgentImages.reference(Map.of())));
        assertNull(
                prepare(off, spec().setting(DockerSettings.RUNTIME, "default").build())
                        .runtime()
                        .name());
    }

    @Test
    void prepareLeavesNoResourceOnTheEngine() {
        DockerEngine e = TestTransports.engine(Set.of(), Set.of(), Set.of());
        PreparedBottle p = Bottles.using(new DockerBackend(e)).prepare(spec().build());
        assertEquals(List.of(), TestTransports.creations(e), "prepare only inspects");
        p.discard();
    }

    @Test
    void everythingPrepareWritesIsPrivate() throws IOException {
        // everything a prepared bottle writes is private to its user, supervise's files included; the
        // bundle reads them as their owner (launch adds one exception, the agent's resolv.conf: OwnershipIT)
        prepare(
                TestTransports.engine(Set.of(), Set.of("runc"), Set.of()),
                spec(true).build());
        try (Stream<Path> all = Files.walk(home)) {
            assertTrue(all.filter(Files::isRegularFile).count() >= 8, "prepare wrote the bottle's files");
        }
        Map<String, String> open = FileModes.notPrivate(home);
        assertEquals(Map.of(), open, "nothing prepare writes is readable by others");
    }
}
