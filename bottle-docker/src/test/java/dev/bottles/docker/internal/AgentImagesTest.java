package dev.bottles.docker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleException;
import dev.bottles.docker.DockerSettings;
import dev.bottles.spi.Settings;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SDK's agent image, without an engine: names, recipes and the errors a user sees. */
class AgentImagesTest {
    @TempDir
    Path tmp;

    @Test
    void theReferenceIsAContentHashThatMovesWithTheVersionAndRecipe() {
        String a = AgentImages.reference(Map.of());
        assertTrue(AgentImages.isSdkImage(a), a);
        assertEquals(
                a,
                AgentImages.reference(
                        Map.of(DockerSettings.CLAUDE_CODE_VERSION, AgentImages.DEFAULT_CLAUDE_CODE_VERSION)),
                "the default is the pinned version");
        assertNotEquals(a, AgentImages.reference(Map.of(DockerSettings.CLAUDE_CODE_VERSION, "2.1.300")));
        assertNotEquals(a, AgentImages.reference(Map.of(DockerSettings.AGENT_RECIPE, "registry")));
        assertTrue(!AgentImages.isSdkImage("claude-bottle:latest")
                && !AgentImages.isSdkImage("evil/claude-bottle:" + a.substring(a.indexOf(':') + 1)));
    }

    @Test
    void theRecipesMeetTheImageContract() {
        String offline = AgentImages.dockerfile(AgentImages.Recipe.OFFLINE, Map.of());
        assertTrue(offline.startsWith("FROM scratch\n"), offline);
        String registry = AgentImages.dockerfile(
                AgentImages.Recipe.REGISTRY, Map.of(DockerSettings.CLAUDE_CODE_VERSION, "2.1.300"));
        assertTrue(registry.startsWith("FROM " + AgentImages.DEFAULT_NODE_BASE + "\n"), registry);
        assertTrue(registry.contains("npm install -g @anthropic-ai/claude-code@2.1.300"), registry);
        for (String d : new String[] {offline, registry}) {
            assertTrue(
                    d.contains("COPY --chown=1000:1000 node/ /home/node/")
                            && d.contains("/workspace/")
                            && d.contains("WORKDIR /workspace")
                            && d.contains("CMD [\"sleep\", \"infinity\"]"),
                    d);
        }
        assertTrue(AgentImages.dockerfile(
                        AgentImages.Recipe.REGISTRY, Map.of(DockerSettings.AGENT_NODE_BASE, "mirror.example/node:20"))
                .startsWith("FROM mirror.example/node:20\n"));
    }

    @Test
    void badSettingsAreRefusedNamingTheSettingAndTheFix() {
        BottleException recipe = assertThrows(
                BottleException.class,
                () -> AgentImages.buildSettings(
                        new Settings(Map.of(DockerSettings.AGENT_RECIPE, "docker-hub"), Map.of())));
        assertTrue(
                recipe.getMessage().contains(DockerSettings.AGENT_RECIPE)
                        && recipe.getMessage().contains("offline"),
                recipe.getMessage());
        for (String v : new String[] {"latest", "2.1", "2.1.3; rm -rf /", "../../x"}) {
            BottleException e = assertThrows(
                    BottleException.class,
                    () -> AgentImages.buildSettings(
                            new Settings(Map.of(DockerSettings.CLAUDE_CODE_VERSION, v), Map.of())),
                    v);
            assertTrue(e.getMessage().contains(DockerSettings.CLAUDE_CODE_VERSION), e.getMessage());
        }
    }

    @Test
    void aMissingNpmSaysWhatToInstall() {
        BottleException e = assertThrows(
                BottleException.class,
                () -> AgentImages.npmPack(tmp.resolve("no-such-npm").toString(), "2.1.332", tmp, line -> {}));
        assertTrue(
                e.getMessage().contains("needs npm")
                        && e.getMessage().contains("apt-get install npm")
                        && e.getMessage().contains(DockerSettings.NPM)
                        && e.getMessage().contains(DockerSettings.IMAGE),
                e.getMessage());
    }
}
