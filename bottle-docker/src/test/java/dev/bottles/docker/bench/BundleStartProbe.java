package dev.bottles.docker.bench;

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
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Times the SDK's bundle image from container start to its {@code bundle-ready} line, and its
 * memory once ready, for JVM option variants given as {@code label=JAVA_TOOL_OPTIONS} arguments
 * (optionally {@code label@image=options}). Prints the image it built first.
 */
public final class BundleStartProbe {
    private BundleStartProbe() {}

    public static void main(String[] args) throws Exception {
        int rounds = Integer.getInteger("rounds", 7);
        DockerEngine engine = DockerEngine.connect(null);
        Settings s = new Settings(Map.of(), System.getenv());
        BundleImage image = BundleImages.describe(engine, s);
        BundleImages.ensure(engine, image, s, line -> {});
        System.out.println("image " + image.reference());
        Path dir = Files.createTempDirectory("bundle-probe");
        CertificateAuthority.mint("probe", Clock.systemUTC()).writeTo(dir.resolve("ca.pem"), dir.resolve("ca-key.pem"));
        Files.writeString(
                dir.resolve("routes.yaml"),
                new EgressConfig(List.of(), List.of(EgressRoute.to("a.test"))).render("probe"));
        Path cds = Files.createDirectories(Path.of(System.getProperty("cds.dir", "/tmp/bundle-probe-cds")));
        for (String a : args) {
            String label = a.substring(0, a.indexOf('='));
            String options = a.substring(a.indexOf('=') + 1);
            String img = image.reference();
            if (label.contains("@")) {
                img = label.substring(label.indexOf('@') + 1);
                label = label.substring(0, label.indexOf('@'));
            }
            List<Long> ready = new ArrayList<>();
            List<Long> memory = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                String name = "bottle-bench-probe-" + ProcessHandle.current().pid() + "-" + i;
                String id = engine.createContainer(ContainerSpec.builder(name, img, "bridge")
                        .env(List.of(
                                "CLAUDE_BOTTLE_SIDECAR_DAEMONS=egress",
                                "CLAUDE_BOTTLE_IDENTITY=probe",
                                "JAVA_TOOL_OPTIONS=" + options))
                        .labels(Map.of(
                                "dev.bottles.identity", name,
                                "dev.bottles.backend", "bench",
                                "dev.bottles.role", "bundle"))
                        .binds(List.of(dir + ":/etc/egress:ro", cds + ":/cds"))
                        .build());
                try {
                    long t0 = System.nanoTime();
                    engine.start(id);
                    DockerEngine.LogWait w = engine.awaitLogLine(
                            id, "\"event\":\"bundle-ready\"", "\"event\":\"start-failed\"", Duration.ofSeconds(60));
                    if (w != DockerEngine.LogWait.FOUND) {
                        throw new IllegalStateException(label + ": " + w + " " + engine.logTail(id, 20));
                    }
                    ready.add((System.nanoTime() - t0) / 1_000_000);
                    Thread.sleep(300);
                    memory.add(engine.memoryUsage(id) >> 20);
                    engine.stop(id, 10); // a clean exit: an ArchiveClassesAtExit run writes its archive now
                } finally {
                    engine.removeContainer(id);
                }
            }
            Collections.sort(ready);
            Collections.sort(memory);
            System.out.printf(
                    Locale.ROOT,
                    "%-12s ready p50 %4d ms (min %4d, max %4d)  memory p50 %3d MiB  [%s]%n",
                    label,
                    ready.get(ready.size() / 2),
                    ready.get(0),
                    ready.get(ready.size() - 1),
                    memory.get(memory.size() / 2),
                    options);
        }
        engine.close();
    }
}
