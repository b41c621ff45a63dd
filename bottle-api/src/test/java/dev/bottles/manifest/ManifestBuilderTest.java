package dev.bottles.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.ManifestException;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ManifestBuilderTest {

    @Test
    void codeBuiltDefinitionsAreValidatedLikeFiles() {
        ManifestException e = assertThrows(
                ManifestException.class,
                () -> BottleDefinition.builder("dev")
                        .route(EgressRoute.to("a.example").withRole(RouteRole.CLAUDE_CODE_OAUTH))
                        .route(EgressRoute.to("b.example").withRole(RouteRole.CLAUDE_CODE_OAUTH))
                        .build());
        assertEquals(Optional.empty(), e.file(), "a definition built in code has no file");
        assertEquals(Optional.of("egress.routes[1].role"), e.field());
        assertTrue(e.getMessage().startsWith("egress.routes[1].role: more than one route"), e.getMessage());
    }

    @Test
    void agentsMustNameADefinedBottle() {
        ManifestException e = assertThrows(
                ManifestException.class,
                () -> Manifest.builder()
                        .bottle(BottleDefinition.builder("dev").build())
                        .agent(AgentDefinition.builder("coder").bottle("prod").build())
                        .build());
        assertTrue(e.getMessage().contains("agent 'coder' names bottle 'prod', which is not defined"), e.getMessage());
        ManifestException noBottle = assertThrows(
                ManifestException.class, () -> AgentDefinition.builder("coder").build());
        assertEquals(Optional.of("bottle"), noBottle.field());
    }

    @Test
    void literalsWithNewlinesAndBadNamesAreRefused() {
        assertThrows(
                ManifestException.class, () -> BottleDefinition.builder("dev").literal("A", "x\ny"));
        ManifestException e = assertThrows(
                ManifestException.class,
                () -> BottleDefinition.builder("dev").literal("A-B", "x").build());
        assertEquals(Optional.of("env.A-B"), e.field());
        assertThrows(
                ManifestException.class, () -> BottleDefinition.builder("Dev").build());
        assertThrows(
                ManifestException.class,
                () -> new GitRemote("../x", GitUpstream.parse("ssh://h/r"), Path.of("/k"), null));
    }

    @Test
    void hostsAreNormalisedAndMatchedWithoutCase() {
        assertEquals("api.example.com", EgressRoute.to("API.Example.COM.").host());
        ManifestException dup = assertThrows(
                ManifestException.class,
                () -> BottleDefinition.builder("dev")
                        .route(EgressRoute.to("api.example.com"))
                        .route(EgressRoute.to("API.example.com"))
                        .build());
        assertTrue(dup.getMessage().contains("duplicate route host"), dup.getMessage());
        assertThrows(ManifestException.class, () -> EgressRoute.to("a.example").withPaths("no-slash"));
        assertEquals(AuthScheme.TOKEN, AuthScheme.parse("Token"));
    }
}
