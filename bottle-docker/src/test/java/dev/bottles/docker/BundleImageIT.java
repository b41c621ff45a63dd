package dev.bottles.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bottles.docker.testimages.TestImages;
import dev.bottles.dockerengine.BundleImages;
import dev.bottles.dockerengine.ContainerSpec;
import dev.bottles.dockerengine.DockerEngine;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.sidecars.BundleImage;
import dev.bottles.sidecars.CertificateAuthority;
import dev.bottles.sidecars.EgressConfig;
import dev.bottles.spi.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK's bundle image on the real engine: built offline with a class data archive it really maps,
 * ready on its log line, JSON logs, SIGTERM.
 */
class BundleImageIT {
    @TempDir
    Path dir;

    @Test
    void theOfflineImageStartsReportsReadyLogsJsonAndStopsOnSigterm() throws Exception {
        DockerEngine engine = TestImages.engine();
        Settings s = new Settings(Map.of(), Map.of());
        BundleImage image = BundleImages.describe(engine, s);
        TestImages.removeAtExitIfNew(image.reference());
        List<String> built = new ArrayList<>();
        if (BundleImages.ensure(engine, image, s, built::add)) {
            assertTrue(
                    built.stream().anyMatch(l -> l.startsWith("class data archive for the bundle: ")),
                    "a training run recorded the bundle's classes: " + built);
        }
        assertEquals(
                "egress,git-gate,supervise",
                engine.imageLabels(image.reference()).orElseThrow().get(BundleImage.DAEMONS_LABEL));
        assertTrue(!BundleImages.ensure(engine, image, s, line -> {}), "an existing image is not rebuilt");

        CertificateAuthority.mint("it", Clock.systemUTC()).writeTo(dir.resolve("ca.pem"), dir.resolve("ca-key.pem"));
        Files.writeString(
                dir.resolve("routes.yaml"),
                new EgressConfig(List.of(), List.of(EgressRoute.to("a.test"))).render("it"));
        String name = "bottle-test-bundle-image-" + ProcessHandle.current().pid();
        Map<String, String> labels =
                Map.of("dev.bottles.identity", name, "dev.bottles.backend", "test", "dev.bottles.role", "bundle");
        String id = engine.createContainer(ContainerSpec.builder(name, image.reference(), "bridge")
                .env(List.of("CLAUDE_BOTTLE_SIDECAR_DAEMONS=egress", "CLAUDE_BOTTLE_IDENTITY=it"))
                .labels(labels)
                .binds(List.of(dir + ":/etc/egress:ro"))
                .build());
        try {
            long t0 = System.nanoTime();
            engine.start(id);
            assertEquals(
                    DockerEngine.LogWait.FOUND,
                    engine.awaitLogLine(
                            id, "\"event\":\"bundle-ready\"", "\"event\":\"start-failed\"", Duration.ofSeconds(60)),
                    () -> engine.logTail(id, 20));
            long readyMs = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("bundle ready " + readyMs + " ms after start");
            boolean noShell;
            try {
                noShell = engine.exec(
                                        new DockerEngine.Command(
                                                id, List.of("/bin/sh", "-c", "true"), null, "/", List.of()),
                                        Duration.ofSeconds(10))
                                .result()
                                .exitCode()
                        != 0;
            } catch (RuntimeException e) {
                noShell = true;
            }
            assertTrue(noShell, "FROM scratch: there is no shell to exec");
            engine.stop(id, 10);
            List<JsonNode> lines = new ArrayList<>();
            ObjectMapper json = new ObjectMapper();
            for (String l : engine.logTail(id, 50).split("\n")) {
                lines.add(json.readTree(l));
            }
            List<String> events = lines.stream()
                    .map(n -> n.get("daemon").asText() + ":" + n.get("event").asText())
                    .toList();
            assertEquals(List.of("egress:ready", "bundle:bundle-ready", "bundle:stopping", "bundle:stopped"), events);
            assertTrue(
                    lines.stream().allMatch(n -> "it".equals(n.path("bottle").asText())),
                    "every line names the bottle");
        } finally {
            engine.removeContainer(id);
        }

        // -Xshare:on makes an archive that cannot be mapped fatal: ready means the image's archive is used
        String strict = engine.createContainer(ContainerSpec.builder(name + "-cds", image.reference(), "bridge")
                .env(List.of(
                        "CLAUDE_BOTTLE_SIDECAR_DAEMONS=egress",
                        "CLAUDE_BOTTLE_IDENTITY=it",
                        "JAVA_TOOL_OPTIONS=-Xshare:on"))
                .labels(labels)
                .binds(List.of(dir + ":/etc/egress:ro"))
                .build());
        try {
            engine.start(strict);
            assertEquals(
                    DockerEngine.LogWait.FOUND,
                    engine.awaitLogLine(
                            strict, "\"event\":\"bundle-ready\"", "\"event\":\"start-failed\"", Duration.ofSeconds(60)),
                    () -> "the class data archive is not usable: " + engine.logTail(strict, 20));
        } finally {
            engine.removeContainer(strict);
        }
    }
}
