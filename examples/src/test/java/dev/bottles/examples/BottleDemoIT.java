package dev.bottles.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.docker.testimages.TestImages;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** README's main job, end to end: {@code ./bottle-demo --no-build} on the real engine. */
class BottleDemoIT {
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

    @Test
    void theDemoShowsAllowBlockAndInjectionAndLeavesNothing() throws Exception {
        TestImages.requireEngine();
        Set<String> before = images();
        String out;
        int code;
        try {
            Process p = new ProcessBuilder(ROOT.resolve("bottle-demo").toString(), "--no-build")
                    .directory(ROOT.toFile())
                    .redirectErrorStream(true)
                    .start();
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the demo finishes within 5 minutes");
            code = p.exitValue();
        } finally {
            Set<String> created = images();
            created.removeAll(before);
            for (String id : created) {
                run("docker", "rmi", "-f", id);
            }
        }
        assertEquals(0, code, out);
        for (String line : List.of(
                "✓ the allowed host answered",
                "✓ the blocked host was refused with its reason",
                "✓ the upstream received the host's token, not the agent's",
                "✓ the agent holds no token",
                "✓ nothing is left behind",
                "demo done: every check held",
                "[demo] teardown: ")) {
            assertTrue(out.contains(line), line + " in:\n" + out);
        }
        assertTrue(
                out.lines()
                                .filter(l -> l.startsWith("[demo] ") && l.matches(".*: \\d+ ms"))
                                .count()
                        >= 6,
                "every phase prints its time:\n" + out);
    }

    private static Set<String> images() throws IOException, InterruptedException {
        return new HashSet<>(
                Arrays.asList(run("docker", "images", "-q", "--no-trunc").split("\\s+")));
    }

    private static String run(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        p.waitFor(60, TimeUnit.SECONDS);
        return out.strip();
    }
}
