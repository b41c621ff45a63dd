package dev.bottles.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OriginalExamplesTest {
    @TempDir
    Path cwd;

    private static Path home() throws URISyntaxException {
        return Path.of(OriginalExamplesTest.class.getResource("/original/home").toURI());
    }

    @Test
    void originalBottleLoadsIntoTheExpectedRecord() throws Exception {
        Path userHome = Path.of("/home/u");
        Manifest m = ManifestLoader.load(home(), cwd, userHome);
        BottleDefinition dev = m.bottles().get("dev");

        assertEquals("dev", dev.name());
        assertEquals(
                List.of("GITEA_TOKEN", "GITHUB_TOKEN", "GIT_AUTHOR_NAME"),
                List.copyOf(dev.env().keySet()),
                "env keeps declaration order");
        assertEquals(
                new EnvValue.Secret("paste your Gitea API token"), dev.env().get("GITEA_TOKEN"));
        assertEquals(new EnvValue.HostVariable("GH_PAT"), dev.env().get("GITHUB_TOKEN"));
        assertEquals(new EnvValue.Literal("didericis"), dev.env().get("GIT_AUTHOR_NAME"));

        assertEquals(
                List.of(new GitRemote(
                        "claude-bottle",
                        new GitUpstream("git", "gitea.example", 30009, "/owner/claude-bottle.git"),
                        userHome.resolve(".ssh/id_ed25519_gitea"),
                        "ssh-ed25519 AAAA...")),
                dev.git());

        assertEquals(
                List.of(
                        new EgressRoute(
                                "api.anthropic.com",
                                List.of(),
                                RouteAuth.bearer("CLAUDE_BOTTLE_OAUTH_TOKEN"),
                                RouteRole.CLAUDE_CODE_OAUTH),
                        new EgressRoute("github.com", List.of("/didericis/"), null, null)),
                dev.routes());
        assertTrue(dev.supervise());
        assertEquals(home().resolve("bottles/dev.md"), dev.origin().file());
    }

    @Test
    void originalAgentLoadsWithItsPromptAndIgnoresClaudeCodeFields() throws Exception {
        Manifest m = ManifestLoader.load(home(), cwd, Path.of("/home/u"));
        AgentDefinition a = m.requireAgent("implementer");

        assertEquals("dev", a.bottle());
        assertEquals(List.of("init-prd"), a.skills());
        assertTrue(a.prompt().startsWith("You implement features against PRDs"), a.prompt());
        assertTrue(a.prompt().endsWith("stop to report when something is ambiguous."), a.prompt());
        assertEquals(m.bottles().get("dev"), m.bottleFor("implementer"));
        assertEquals(List.of(), m.warnings());
    }

    @Test
    void theSameDefinitionsBuiltInCodeEqualTheLoadedOnesButForOrigin() throws Exception {
        Path userHome = Path.of("/home/u");
        BottleDefinition loaded =
                ManifestLoader.load(home(), cwd, userHome).bottles().get("dev");
        BottleDefinition built = BottleDefinition.builder("dev")
                .secret("GITEA_TOKEN", "paste your Gitea API token")
                .fromHost("GITHUB_TOKEN", "GH_PAT")
                .literal("GIT_AUTHOR_NAME", "didericis")
                .git(new GitRemote(
                        "claude-bottle",
                        GitUpstream.parse("ssh://git@gitea.example:30009/owner/claude-bottle.git"),
                        userHome.resolve(".ssh/id_ed25519_gitea"),
                        "ssh-ed25519 AAAA..."))
                .route(EgressRoute.to("api.anthropic.com")
                        .withRole(RouteRole.CLAUDE_CODE_OAUTH)
                        .withAuth(RouteAuth.bearer("CLAUDE_BOTTLE_OAUTH_TOKEN")))
                .route(EgressRoute.to("github.com").withPaths("/didericis/"))
                .supervise(true)
                .build();
        assertEquals(built.env(), loaded.env());
        assertEquals(built.git(), loaded.git());
        assertEquals(built.routes(), loaded.routes());
        assertEquals(built.supervise(), loaded.supervise());
        assertNull(built.origin().file());
    }

    @Test
    void upstreamUrlRoundTripsAndDefaultsPortAndUser() {
        GitUpstream u = GitUpstream.parse("ssh://gitea.example/owner/repo.git");
        assertEquals(new GitUpstream("git", "gitea.example", 22, "/owner/repo.git"), u);
        assertEquals("ssh://git@gitea.example/owner/repo.git", u.url());
        assertEquals(
                "ssh://git@h:2222/r.git",
                GitUpstream.parse("ssh://git@h:2222/r.git").url());
    }

    @Test
    void envValueFormsParseAsTheOriginalDid() {
        assertEquals(new EnvValue.Secret(""), EnvValue.parse("?"));
        assertEquals(new EnvValue.Secret("token please"), EnvValue.parse("?token please"));
        assertEquals(new EnvValue.HostVariable("HOME_2"), EnvValue.parse("${HOME_2}"));
        assertEquals(new EnvValue.Literal("pre-${X}"), EnvValue.parse("pre-${X}"), "only a whole ${VAR} forwards");
        assertEquals(new EnvValue.Literal("${1X}"), EnvValue.parse("${1X}"));
        assertEquals(new EnvValue.Literal("8080"), EnvValue.parse("8080"));
        for (String raw : List.of("?", "?p", "${V}", "lit")) {
            assertEquals(raw, EnvValue.parse(raw).raw());
        }
        assertEquals(Map.of(), Manifest.builder().build().bottles());
    }
}
