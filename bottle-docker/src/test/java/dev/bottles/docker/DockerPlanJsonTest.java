package dev.bottles.docker;

import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.dockerengine.DockerEngine;
import dev.bottles.dockerengine.TestTransports;
import dev.bottles.golden.Golden;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.Manifest;
import dev.bottles.manifest.RouteAuth;
import dev.bottles.state.BottleHome;
import dev.bottles.state.BottleMetadata;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plan's JSON form is what scripts read ({@code bottle start --dry-run --format json}): it stays
 * the same, field for field and in order, whatever the plan's Java shape. Compared with
 * {@code src/test/resources/golden/docker-plan.json}; run with {@code -Dgolden.update=true} to
 * rewrite it after a deliberate change, then review the diff.
 */
class DockerPlanJsonTest {
    private static final String ID = "coder-g0lden";

    @TempDir
    Path home;

    @Test
    void theJsonFormIsStable() throws Exception {
        new BottleHome(home)
                .state(ID)
                .create()
                .writeMetadata(new BottleMetadata(
                        ID,
                        "coder",
                        "",
                        false,
                        Instant.parse("2026-11-30T12:00:00Z"),
                        "claude-bottle-" + ID,
                        "docker"));
        Manifest m = Manifest.builder()
                .bottle(BottleDefinition.builder("dev")
                        .literal("MODE", "x")
                        .fromHost("GH", "GH_PAT")
                        .route(EgressRoute.to("api.example.com").withAuth(RouteAuth.bearer("API_TOKEN")))
                        .route(EgressRoute.to("registry.npmjs.org"))
                        .build())
                .agent(AgentDefinition.builder("coder")
                        .bottle("dev")
                        .prompt("be brief")
                        .build())
                .build();
        BottleSpec spec = BottleSpec.builder("coder")
                .manifest(m)
                .home(home)
                .userCwd(home)
                .identity(ID)
                .hostEnvironment(Map.of("GH_PAT", "pat-secret", "API_TOKEN", "tok-secret"))
                .build();
        DockerEngine e = TestTransports.engine(Set.of(), Set.of("runc"), Set.of());
        String json = Bottles.using(new DockerBackend(e)).prepare(spec).plan().toJson();
        // what depends on the machine or on the SDK's build: the temp home, and the images' content hashes
        String actual = json.replace(home.toString(), "<home>")
                        .replaceAll("claude-bottle-sidecars:[0-9a-f]{12}", "claude-bottle-sidecars:<hash>")
                        .replaceAll("claude-bottle:[0-9a-f]{12}", "claude-bottle:<hash>")
                + "\n";
        Golden.assertMatches("docker-plan.json", actual);
    }
}
