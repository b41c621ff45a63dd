package dev.bottles.docker.internal;

import dev.bottles.docker.DockerBottlePlan;
import dev.bottles.state.SecureFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Builds the image holding a copy of the user's cwd: the agent's image plus {@code COPY . } into
 * {@value #WORKSPACE}, owned by the agent's uid. The Dockerfile is written to the state dir, never
 * into the user's directory; the directory's {@code .dockerignore} applies.
 */
final class DerivedImage {
    /** Where the cwd lands in the agent. */
    static final String WORKSPACE = "/workspace";

    private DerivedImage() {}

    static String build(DockerEngine engine, DockerBottlePlan plan, Path cwd) {
        Path dockerfile = plan.stateDir().resolve("Dockerfile.cwd");
        SecureFiles.writePublic(dockerfile, ("FROM " + plan.baseImage() + "\nCOPY --chown=" + plan.containerUid() + ":"
                + plan.containerUid() + " . " + WORKSPACE + "\nWORKDIR " + WORKSPACE + "\n").getBytes(StandardCharsets.UTF_8));
        return engine.build(cwd.toFile(), dockerfile.toFile(), plan.image(),
                Labels.of(plan.identity(), plan.backendId(), "image"), line -> { });
    }
}
