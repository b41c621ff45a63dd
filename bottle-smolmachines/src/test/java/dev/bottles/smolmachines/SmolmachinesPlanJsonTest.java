package dev.bottles.smolmachines;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleException;
import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.dockerengine.DockerBundles;
import dev.bottles.dockerengine.DockerEngine;
import dev.bottles.dockerengine.TestTransports;
import dev.bottles.golden.Golden;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.Manifest;
import dev.bottles.manifest.RouteAuth;
import dev.bottles.testkit.FakeSmolvm;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The smolmachines plan's JSON form stays the same, field for field and in order, whatever the
 * plan's Java shape: prepared against the testkit's fake {@code smolvm} and a recording fake engine,
 * so no engine or VM is needed; and a detached spec is refused. Compared with {@code src/test/resources/golden/smolmachines-plan.json};
 * run with {@code -Dgolden.update=true} to rewrite it after a deliberate change, then review the diff.
 */
class SmolmachinesPlanJsonTest {
    private static final String ID = "guest-g0lden";

    @TempDir
    Path tmp;

    private BottleSpec.Builder spec() {
        FakeSmolvm smolvm = FakeSmolvm.install(tmp.resolve("smolvm"));
        Manifest m = Manifest.builder()
                .bottle(BottleDefinition.builder("vm")
                        .supervise(true)
                        .literal("MODE", "x")
                        .fromHost("GH", "GH_PAT")
                        .route(EgressRoute.to("api.example.com").withAuth(RouteAuth.bearer("API_TOKEN")))
                        .route(EgressRoute.to("registry.npmjs.org"))
                        .build())
                .agent(AgentDefinition.builder("guest").bottle("vm").prompt("p").build())
                .build();
        return FakeSmolvmSpecs.onFakeSmolvm(BottleSpec.builder("guest"), smolvm, tmp)
                .manifest(m)
                .identity(ID)
                .hostEnvironment(Map.of("GH_PAT", "pat-secret", "API_TOKEN", "tok-secret"));
    }

    @Test
    void theJsonFormIsStable() throws Exception {
        BottleSpec spec = spec().build();
        DockerEngine e = TestTransports.engine(Set.of(), Set.of("runc"), Set.of());
        String json = Bottles.using(new SmolmachinesBackend(DockerBundles.over(e)))
                .prepare(spec)
                .plan()
                .toJson();
        // what depends on the machine or on the SDK's build: the temp dir, and the bundle image's content hash
        String actual = json.replace(tmp.toString(), "<tmp>")
                        .replaceAll("claude-bottle-sidecars:[0-9a-f]{12}", "claude-bottle-sidecars:<hash>")
                + "\n";
        Golden.assertMatches("smolmachines-plan.json", actual);
    }

    @Test
    void aDetachedBottleIsRefusedNamingTheFix() {
        BottleException e = assertThrows(
                BottleException.class,
                () -> Bottles.using(new SmolmachinesBackend(
                                DockerBundles.over(TestTransports.engine(Set.of(), Set.of("runc"), Set.of()))))
                        .prepare(spec().detach(true).build()));
        assertTrue(e.getMessage().contains("cannot detach"), e.getMessage());
        assertTrue(e.getMessage().contains("docker backend"), e.getMessage());
    }
}
