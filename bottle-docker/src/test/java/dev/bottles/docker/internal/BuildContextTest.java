package dev.bottles.docker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildContextTest {
    @TempDir
    Path tmp;

    @Test
    void dockerignoreRulesAreDockers() {
        List<String> ignores = List.of("*.env", "build", "docs/*.md", "!docs/keep.md");
        assertTrue(BuildContext.excluded("prod.env", ignores));
        assertTrue(BuildContext.excluded("build/out/app.jar", ignores), "a directory pattern covers what is under it");
        assertTrue(BuildContext.excluded("docs/notes.md", ignores));
        assertFalse(BuildContext.excluded("docs/keep.md", ignores), "! re-includes; the last match wins");
        assertFalse(BuildContext.excluded("src/Main.java", ignores));
        assertFalse(BuildContext.excluded("sub/prod.env", ignores), "patterns are anchored at the context root");
    }

    @Test
    void theContextHoldsTheFilesTheGeneratedDockerfileAndNothingIgnored() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("proj"));
        Files.writeString(dir.resolve("a.txt"), "a");
        Files.createDirectories(dir.resolve("node_modules/x"));
        Files.writeString(dir.resolve("node_modules/x/big.js"), "b");
        Files.writeString(dir.resolve(".dockerignore"), "node_modules\n# comment\n");
        Path tar = tmp.resolve("ctx.tar");
        BuildContext.write(dir, "FROM x\n", tar);
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tar))) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                names.add(e.getName());
            }
        }
        assertEquals(List.of(".dockerignore", "a.txt", BuildContext.DOCKERFILE), names);
        assertFalse(Files.exists(dir.resolve(BuildContext.DOCKERFILE)), "nothing is written into the user's directory");
    }
}
