package dev.bottles.dockerengine;

import dev.bottles.BottleException;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.sidecars.CertificateAuthority;
import dev.bottles.sidecars.EgressConfig;
import dev.bottles.state.Owner;
import dev.bottles.state.SecureFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Records the bundle's class data archive (AppCDS) once per image: runs the freshly built image
 * with egress until it is ready, with no network at all, stops it cleanly so the JVM writes the
 * classes it loaded to {@value #ARCHIVE_IN_IMAGE}, and copies that archive out through the engine
 * (so a remote engine works too). Bundles started from the image that carries it map those classes
 * instead of loading them; measured in {@code docs/decisions/0012}.
 */
final class BundleTraining {
    /** Where the archive sits in the image. */
    static final String ARCHIVE_IN_IMAGE = "/opt/bottles/bundle.jsa";
    /** The role label of a training container. */
    static final String ROLE = "image-training";

    private static final Duration READY = Duration.ofSeconds(60);

    private BundleTraining() {}

    /**
     * Runs the image once and returns the archive it wrote.
     *
     * @param engine the engine
     * @param image the image to train (its entrypoint without an archive)
     * @param progress receives what happened
     * @return the archive, or empty when the run did not give one (the image then starts without)
     */
    static Optional<byte[]> archive(DockerEngine engine, String image, Consumer<String> progress) {
        removeAbandoned(engine);
        String name = "claude-bottle-sidecars-training-"
                + ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
        String id;
        try {
            id = engine.createContainer(ContainerSpec.builder(name, image, "none")
                    .env(List.of(
                            "CLAUDE_BOTTLE_SIDECAR_DAEMONS=egress",
                            "CLAUDE_BOTTLE_IDENTITY=training",
                            "JAVA_TOOL_OPTIONS=-XX:ArchiveClassesAtExit=" + ARCHIVE_IN_IMAGE))
                    .labels(Map.of(
                            Labels.ROLE, ROLE, Owner.LABEL, Owner.current().label()))
                    .build());
        } catch (BottleException e) {
            progress.accept("no class data archive for the bundle: " + e.getMessage());
            return Optional.empty();
        }
        try {
            engine.copyTar(id, "/", new ByteArrayInputStream(egressConfig()));
            engine.start(id);
            DockerEngine.LogWait w =
                    engine.awaitLogLine(id, "\"event\":\"bundle-ready\"", "\"event\":\"start-failed\"", READY);
            if (w != DockerEngine.LogWait.FOUND) {
                progress.accept("no class data archive for the bundle: its training run was not ready (" + w + "): "
                        + engine.logTail(id, 10));
                return Optional.empty();
            }
            engine.stop(id, 30); // a clean exit: the JVM writes the archive as it exits
            try (InputStream tar = engine.copyFrom(id, ARCHIVE_IN_IMAGE);
                    TarArchiveInputStream in = new TarArchiveInputStream(tar)) {
                if (in.getNextEntry() == null) {
                    return Optional.empty();
                }
                byte[] archive = in.readAllBytes();
                progress.accept("class data archive for the bundle: " + (archive.length >> 10) + " KiB");
                return archive.length == 0 ? Optional.empty() : Optional.of(archive);
            }
        } catch (BottleException | IOException e) {
            progress.accept("no class data archive for the bundle: " + e.getMessage());
            return Optional.empty();
        } finally {
            engine.removeContainer(id);
        }
    }

    /** Removes training containers whose program died mid-run. */
    private static void removeAbandoned(DockerEngine engine) {
        for (DockerEngine.ContainerRef c : engine.containers(Map.of(Labels.ROLE, ROLE))) {
            if (!Owner.keeps(c.labels(), false)) {
                engine.removeContainer(c.id());
            }
        }
    }

    /** A throwaway CA and one route: what egress needs to come up. */
    private static byte[] egressConfig() throws IOException {
        Path dir = Files.createTempDirectory("bottles-training-");
        try {
            CertificateAuthority.mint("bottles-training", Clock.systemUTC())
                    .writeTo(dir.resolve("ca.pem"), dir.resolve("ca-key.pem"));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (TarArchiveOutputStream out = JavaRuntime.tar(bytes)) {
                JavaRuntime.bytes(out, "etc/egress/ca.pem", Files.readAllBytes(dir.resolve("ca.pem")), 0644);
                JavaRuntime.bytes(out, "etc/egress/ca-key.pem", Files.readAllBytes(dir.resolve("ca-key.pem")), 0600);
                JavaRuntime.bytes(
                        out,
                        "etc/egress/routes.yaml",
                        new EgressConfig(List.of(), List.of(EgressRoute.to("training.invalid")))
                                .render("training")
                                .getBytes(StandardCharsets.UTF_8),
                        0644);
                out.finish();
            }
            return bytes.toByteArray();
        } finally {
            SecureFiles.deleteRecursively(dir);
        }
    }
}
