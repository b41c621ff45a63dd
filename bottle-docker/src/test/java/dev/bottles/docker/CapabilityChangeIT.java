package dev.bottles.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.Decision;
import dev.bottles.ExecOptions;
import dev.bottles.Proposal;
import dev.bottles.RunningBottle;
import dev.bottles.docker.testimages.TestImages;
import dev.bottles.dockerengine.BundleImages;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.Manifest;
import dev.bottles.spi.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The original's capability flow on the real engine: the agent proposes a Dockerfile through
 * supervise, the handler approves, the SDK saves it, keeps the state and tears the bottle down, and
 * resuming the identity rebuilds the agent image from it.
 */
class CapabilityChangeIT {
    @TempDir
    Path home;

    @Test
    void anApprovedDockerfileTearsTheBottleDownAndResumeRebuildsFromIt() throws Exception {
        var engine = TestImages.engine();
        TestImages.removeAtExitIfNew(
                BundleImages.describe(engine, new Settings(Map.of(), Map.of())).reference());
        Manifest m = Manifest.builder()
                .bottle(BottleDefinition.builder("cap").supervise(true).build())
                .agent(AgentDefinition.builder("builder").bottle("cap").build())
                .build();
        BottleSpec spec = BottleSpec.builder("builder")
                .manifest(m)
                .home(home)
                .userCwd(home)
                .hostEnvironment(Map.of())
                .setting(DockerSettings.IMAGE, TestImages.probeAgent())
                .approvals(p -> CompletableFuture.completedFuture(
                        p.kind() == Proposal.Kind.CAPABILITY_BLOCK ? Decision.approve() : Decision.reject("no")))
                .build();
        RunningBottle b = Bottles.using(new DockerBackend()).prepare(spec).launch();
        String id = b.identity();
        String dockerfile = "FROM " + TestImages.probeAgent() + "\nRUN touch /rebuilt-by-the-operator\n";
        String json = new ObjectMapper()
                .writeValueAsString(Map.of("dockerfile", dockerfile, "justification", "needs a marker file"));
        try {
            // the call may drop: the bottle is torn down as soon as the answer is written (the original's rule)
            // as the agent's user, who owns the 0600 MCP configuration with the bottle's credential
            b.exec(
                    List.of(
                            "java",
                            "-XX:TieredStopAtLevel=1",
                            "-jar",
                            "/opt/probe.jar",
                            "mcp",
                            "capability-block",
                            json),
                    new ExecOptions(Duration.ofMinutes(2), "1000", null, Map.of()));
        } catch (RuntimeException dropped) {
            // expected when the teardown wins the race
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!TestImages.labelled(id).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        Set<String> left = TestImages.labelled(id);
        if (!left.isEmpty()) {
            b.close(); // the test's own bottle: never leave it behind, whatever failed
        }
        assertEquals(Set.of(), left, "the bottle was torn down");
        Path state = home.resolve("state").resolve(id);
        assertEquals(dockerfile, Files.readString(state.resolve("Dockerfile")));
        assertTrue(Files.exists(state.resolve(".preserve")));
        String answer;
        try (var files = Files.list(home.resolve("queue").resolve(id))) {
            answer = Files.readString(files.filter(f -> f.toString().endsWith(".response.json"))
                    .findFirst()
                    .orElseThrow());
        }
        assertTrue(answer.contains("\"verdict\" : \"approved\""), answer);

        DockerBottlePlan resumed;
        try (RunningBottle again = Bottles.using(new DockerBackend())
                .prepare(spec.toBuilder().identity(id).build())
                .launch()) {
            resumed = (DockerBottlePlan) again.plan();
            assertEquals("claude-bottle-rebuilt-" + id, resumed.images().base());
            assertEquals(0, again.exec("ls", "/rebuilt-by-the-operator").exitCode(), "the agent runs the new image");
        } finally {
            engine.removeImage("claude-bottle-rebuilt-" + id);
        }
        assertEquals(Set.of(), TestImages.labelled(id));
    }
}
