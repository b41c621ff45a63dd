package dev.bottles.docker.internal;

import dev.bottles.docker.DockerBottlePlan;
import dev.bottles.dockerengine.DockerEngine;
import dev.bottles.dockerengine.Labels;
import dev.bottles.state.SecureFiles;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Builds the image holding a copy of the user's cwd: the agent's image plus {@code COPY . } into
 * {@value #WORKSPACE}, owned by the agent's uid. The Dockerfile lives only in the context tar, never
 * in the user's directory; the directory's {@code .dockerignore} applies.
 */
final class DerivedImage {
    /** Where the cwd lands in the agent. */
    static final String WORKSPACE = "/workspace";

    private DerivedImage() {}

    static String build(DockerEngine engine, DockerBottlePlan plan, Path cwd, Consumer<String> progress) {
        String dockerfile = "FROM " + plan.images().base() + "\nCOPY --chown="
                + plan.agent().uid() + ":"
                + plan.agent().uid() + " . " + WORKSPACE + "\nRUN rm -f " + WORKSPACE + "/" + BuildContext.DOCKERFILE
                + "\nWORKDIR " + WORKSPACE + "\n";
        Path tar = plan.stateDir().resolve("cwd-context.tar");
        try {
            BuildContext.write(cwd, dockerfile, tar);
            return engine.buildTar(
                    tar,
                    BuildContext.DOCKERFILE,
                    plan.images().image(),
                    Labels.of(plan.identity(), plan.backendId(), "image"),
                    progress);
        } finally {
            SecureFiles.deleteRecursively(tar);
        }
    }
}
