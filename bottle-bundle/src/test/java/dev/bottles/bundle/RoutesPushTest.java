package dev.bottles.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.sidecars.EgressConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bundle routes <length>}: exact lengths, a policy egress can load, or nothing changes. */
class RoutesPushTest {
    @TempDir
    Path dir;

    private int push(String body, String length, ByteArrayOutputStream err) {
        Path live = dir.resolve("routes.yaml");
        return RoutesPush.run(
                new String[] {"routes", length},
                Map.of(RoutesPush.ROUTES_ENV, live.toString()),
                new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void aValidPolicyOfTheStatedLengthReplacesTheLiveOneAndTrailingBytesAreIgnored() throws Exception {
        String policy = EgressConfig.forBottle(dev.bottles.manifest.BottleDefinition.builder("b")
                        .route(dev.bottles.manifest.EgressRoute.to("pypi.org"))
                        .build())
                .render("b-xxxxx");
        int n = policy.getBytes(StandardCharsets.UTF_8).length;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, push(policy + "GARBAGE AFTER", Integer.toString(n), err), err.toString());
        assertEquals(policy, Files.readString(dir.resolve("routes.yaml")));
    }

    @Test
    void garbageAShortInputOrABadLengthChangesNothing() throws Exception {
        Path live = dir.resolve("routes.yaml");
        Files.writeString(live, "before");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, push("routes: [ {host: ", "17", err));
        assertEquals(2, push("short", "999", err));
        assertEquals(2, push("x", "-1", err));
        assertEquals(2, push("x", Integer.toString(RoutesPush.MAX_BYTES + 1), err));
        assertEquals(2, push("x", "NaN", err));
        assertEquals("before", Files.readString(live));
        assertTrue(err.toString().contains("refused") || err.toString().contains("usage"), err.toString());
        try (var files = Files.list(dir)) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().endsWith(".push")), "no half-written file");
        }
    }
}
