package dev.bottles.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Compares a text with its golden file under {@code src/test/resources/golden/}. Run the test with
 * {@code -Dgolden.update=true} to rewrite the file after a deliberate change, then review the diff.
 * Shipped in bottle-api's test-jar.
 */
public final class Golden {
    private Golden() {}

    /**
     * Asserts that a text equals its golden file, after rewriting the file when asked to.
     *
     * @param name the file's name, e.g. {@code docker-plan.json}
     * @param actual the text now
     * @throws IOException when the file cannot be read or written
     */
    public static void assertMatches(String name, String actual) throws IOException {
        Path golden = Path.of("src/test/resources/golden", name);
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(golden, actual, StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(golden, StandardCharsets.UTF_8), actual, "golden/" + name);
    }
}
