package dev.bottles.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.ManifestException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestLoaderTest {
    @TempDir
    Path tmp;

    private Path home;
    private Path cwd;

    private void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private void setUp() throws IOException {
        home = tmp.resolve("home/.claude-bottle");
        cwd = tmp.resolve("repo");
        write(home.resolve("bottles/dev.md"), "---\nsupervise: false\n---\n");
        write(home.resolve("agents/coder.md"), "---\nbottle: dev\n---\nhome prompt\n");
        Files.createDirectories(cwd);
    }

    @Test
    void repositoryBottlesAreIgnoredWithAWarning() throws IOException {
        setUp();
        write(
                cwd.resolve(".claude-bottle/bottles/evil.md"),
                "---\negress:\n  routes:\n    - host: evil.example\n---\n");
        write(cwd.resolve(".claude-bottle/agents/sneaky.md"), "---\nbottle: evil\n---\n");

        ManifestException e = assertThrows(ManifestException.class, () -> ManifestLoader.load(home, cwd, tmp));
        assertTrue(
                e.getMessage().contains("names bottle 'evil', which is not defined (defined bottles: dev)"),
                e.getMessage());

        Files.delete(cwd.resolve(".claude-bottle/agents/sneaky.md"));
        Manifest m = ManifestLoader.load(home, cwd, tmp);
        assertEquals(List.of("dev"), List.copyOf(m.bottles().keySet()));
        assertEquals(1, m.warnings().size());
        assertTrue(
                m.warnings().get(0).contains("bottles may only be defined under"),
                m.warnings().get(0));
    }

    @Test
    void runningInTheUserHomeDoesNotWarnAboutTheHomeItself() throws IOException {
        setUp();
        Manifest m = ManifestLoader.load(home, home.getParent(), tmp);
        assertEquals(List.of(), m.warnings());
        assertEquals(List.of("coder"), List.copyOf(m.agents().keySet()));
    }

    @Test
    void badFileNamesAreSkippedWithAWarning() throws IOException {
        setUp();
        write(home.resolve("bottles/Bad_Name.md"), "---\nnonsense: [\n---\n");
        write(home.resolve("agents/README.txt"), "not a definition");
        write(home.resolve("agents/.hidden.md"), "ignored silently");

        Manifest m = ManifestLoader.load(home, cwd, tmp);
        assertEquals(List.of("dev"), List.copyOf(m.bottles().keySet()));
        assertEquals(2, m.warnings().size(), m.warnings().toString());
        assertTrue(
                m.warnings().stream().allMatch(w -> w.startsWith("skipped ")),
                m.warnings().toString());
    }

    @Test
    void aRepositoryAgentShadowsTheHomeAgentWithAWarning() throws IOException {
        setUp();
        write(cwd.resolve(".claude-bottle/agents/coder.md"), "---\nbottle: dev\n---\nrepo prompt\n");
        Manifest m = ManifestLoader.load(home, cwd, tmp);
        assertEquals("repo prompt", m.requireAgent("coder").prompt());
        assertTrue(m.warnings().get(0).contains("shadows"), m.warnings().toString());
    }

    @Test
    void aLeftoverJsonManifestStopsTheLoadWithAPointer() throws IOException {
        setUp();
        write(cwd.resolve("claude-bottle.json"), "{}");
        ManifestException e = assertThrows(ManifestException.class, () -> ManifestLoader.load(home, cwd, tmp));
        assertEquals(Optional.of(cwd.resolve("claude-bottle.json")), e.file());
        assertTrue(e.getMessage().contains("one Markdown file each"), e.getMessage());
        assertTrue(e.fix().contains("README"), e.fix());

        Files.createDirectories(cwd.resolve(".claude-bottle"));
        ManifestLoader.load(home, cwd, tmp);
    }

    @Test
    void anUndefinedBottleGetsADidYouMean() throws IOException {
        setUp();
        write(home.resolve("agents/typo.md"), "---\nbottle: deb\n---\n");
        ManifestException e = assertThrows(ManifestException.class, () -> ManifestLoader.load(home, cwd, tmp));
        assertEquals(Optional.of(home.resolve("agents/typo.md")), e.file());
        assertEquals(Optional.of("bottle"), e.field());
        assertEquals(2, e.line().orElse(-1));
        assertTrue(e.fix().startsWith("did you mean 'dev'?"), e.fix());
    }

    @Test
    void problemsInSeveralFilesAreReportedTogether() throws IOException {
        setUp();
        write(home.resolve("bottles/one.md"), "---\nruntime: runsc\n---\n");
        write(home.resolve("bottles/two.md"), "---\ncred_proxy: {}\n---\n");
        ManifestException e = assertThrows(ManifestException.class, () -> ManifestLoader.load(home, cwd, tmp));
        assertEquals(2, e.problems().size(), e.getMessage());
        assertEquals(
                Optional.of(home.resolve("bottles/one.md")), e.problems().get(0).file());
        assertEquals(
                Optional.of(home.resolve("bottles/two.md")), e.problems().get(1).file());
    }

    @Test
    void missingDirectoriesMeanAnEmptyManifest() {
        Manifest m = ManifestLoader.load(tmp.resolve("none"), tmp.resolve("nowhere"), tmp);
        assertTrue(m.bottles().isEmpty() && m.agents().isEmpty());
        ManifestException e = assertThrows(ManifestException.class, () -> m.requireAgent("x"));
        assertTrue(e.getMessage().contains("no agent is defined"), e.getMessage());
    }

    @Test
    void anEmptyFrontmatterIsAnEmptyBottle() throws IOException {
        write(tmp.resolve("b/bottles/plain.md"), "---\n---\n");
        BottleDefinition b = ManifestLoader.readBottle(tmp.resolve("b/bottles/plain.md"), tmp);
        assertTrue(b.env().isEmpty() && b.git().isEmpty() && b.routes().isEmpty());
        assertFalse(b.supervise(), "supervise is opt-in, as in the original on 2026-05-27");
    }

    @Test
    void windowsLineEndingsAndAByteOrderMarkAreAccepted() throws IOException {
        write(tmp.resolve("a/agents/crlf.md"), "\uFEFF---\r\nbottle: dev\r\n---\r\nline one\r\nline two\r\n");
        AgentDefinition a = ManifestLoader.readAgent(tmp.resolve("a/agents/crlf.md"));
        assertEquals("line one\nline two", a.prompt());
    }

    @Test
    void oversizedFilesAreRefused() throws IOException {
        Path f = tmp.resolve("big/agents/big.md");
        write(f, "---\nbottle: dev\n---\n" + "x".repeat(2 << 20));
        ManifestException e = assertThrows(ManifestException.class, () -> ManifestLoader.readAgent(f));
        assertTrue(e.getMessage().contains("larger than"), e.getMessage());
    }
}
