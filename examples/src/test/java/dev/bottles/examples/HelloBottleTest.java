package dev.bottles.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** README's quick start is HelloBottle's code, and it runs (on the testkit's fake backend here). */
class HelloBottleTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

    @TempDir
    Path home;

    @Test
    void readmesQuickStartIsHelloBottlesCode() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int from = readme.indexOf("```java\n", readme.indexOf("## Quick start")) + "```java\n".length();
        String block = readme.substring(from, readme.indexOf("```", from));
        String source = Files.readString(ROOT.resolve("examples/src/main/java/dev/bottles/examples/HelloBottle.java"));
        String code = source.substring(
                source.indexOf("// quick-start:begin\n") + "// quick-start:begin\n".length(),
                source.indexOf("        // quick-start:end"));
        assertEquals(block, dedent(code, 8));
    }

    @Test
    void helloBottleRunsAndPrintsTheCommandsOutput() {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setProperty("bottle.backend", "fake");
        System.setProperty("bottle.home", home.toString());
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            HelloBottle.main(new String[0]);
        } finally {
            System.setOut(old);
            System.clearProperty("bottle.backend");
            System.clearProperty("bottle.home");
        }
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("0 hello from the bottle\n"), out.toString());
        assertEquals(
                List.of(),
                home.resolve("state").toFile().exists()
                        ? List.of(home.resolve("state").toFile().list())
                        : List.of(),
                "closing removed the bottle's state");
    }

    private static String dedent(String code, int n) {
        return code.lines()
                        .map(l -> l.length() >= n ? l.substring(n) : l.strip())
                        .collect(Collectors.joining("\n")) + "\n";
    }
}
