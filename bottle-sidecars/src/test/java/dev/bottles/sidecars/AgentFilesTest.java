package dev.bottles.sidecars;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.GitRemote;
import dev.bottles.manifest.GitUpstream;
import dev.bottles.spi.ResolvedEnv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentFilesTest {
    @TempDir
    Path tmp;

    @Test
    void theAgentGetsItsFilesInTheOriginalsOrderWithRelativePaths() throws Exception {
        Path key = Files.writeString(tmp.resolve("key"), "K");
        Path skill = Files.createDirectories(tmp.resolve("skills/review"));
        Files.writeString(skill.resolve("SKILL.md"), "# review");
        BottleDefinition b = BottleDefinition.builder("dev")
                .supervise(true)
                .git(new GitRemote("app", GitUpstream.parse("ssh://git@h.example/a.git"), key, null))
                .build();
        SidecarPlans plans = SidecarPlans.prepare(
                Fixtures.request(tmp.resolve("home"), b, Map.of(), ResolvedEnv.empty()), "", Fixtures.CLOCK);
        Path prompt = Files.writeString(tmp.resolve("prompt.txt"), "be careful");
        List<AgentFiles.AgentFile> files = AgentFiles.of(
                plans,
                Endpoints.inBundle("192.168.9.2", plans.bundle()),
                prompt,
                Map.of("review", skill),
                "/home/node/");

        assertEquals(
                List.of(
                        "usr/local/share/ca-certificates/claude-bottle-egress.crt",
                        "home/node/.claude-bottle/prompt.txt",
                        "home/node/.claude/skills/review/SKILL.md",
                        "home/node/.gitconfig",
                        "home/node/.claude-bottle/mcp.json",
                        "home/node/.claude.json",
                        "home/node/.claude/settings.json"),
                files.stream().map(AgentFiles.AgentFile::path).toList());
        assertEquals(
                List.of(false, true, true, true, true, true, true),
                files.stream().map(AgentFiles.AgentFile::agentOwned).toList());
        assertEquals(0600, files.get(1).mode(), "the prompt is private");
        assertEquals("be careful", new String(files.get(1).content()));
        assertTrue(new String(files.get(3).content())
                .contains("git://192.168.9.2:9418/" + plans.access().token() + "/app"));
        assertTrue(new String(files.get(4).content()).contains("http://192.168.9.2:9100/mcp"));
        assertTrue(new String(files.get(4).content())
                .contains("\"Bearer " + plans.access().token() + "\""));
        assertEquals(0600, files.get(4).mode(), "the MCP config holds the access credential");
        String state = new String(files.get(5).content());
        assertEquals(0600, files.get(5).mode(), "Claude Code's state holds supervise's credential");
        assertTrue(
                state.contains("\"supervise\"")
                        && state.contains("\"Bearer " + plans.access().token() + "\""),
                state);
        assertTrue(state.contains("\"hasCompletedOnboarding\": true") && state.contains("\"/workspace\""), state);
        String settings = new String(files.get(6).content());
        assertTrue(settings.contains("\"skipDangerousModePermissionPrompt\": true"), settings);
        assertTrue(settings.contains("\"DISABLE_AUTOUPDATER\": \"1\""), settings);
        assertFalse(settings.contains(plans.access().token()), "settings are world-readable and hold no credential");
        assertThrows(
                IllegalArgumentException.class, () -> new AgentFiles.AgentFile("/etc/x", new byte[0], 0644, false));
        assertThrows(
                IllegalArgumentException.class, () -> new AgentFiles.AgentFile("a/../../x", new byte[0], 0644, false));
    }
}
