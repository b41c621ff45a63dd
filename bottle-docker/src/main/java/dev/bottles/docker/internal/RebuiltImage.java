package dev.bottles.docker.internal;

import dev.bottles.BottleException;
import dev.bottles.dockerengine.DockerEngine;
import dev.bottles.state.SecureFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Builds a bottle's rebuilt agent image ({@code claude-bottle-rebuilt-<identity>}) from the
 * Dockerfile an approved capability change saved, with an empty build context: the Dockerfile is
 * the agent's, and nothing on the host (least of all the state dir and its keys) may be reachable
 * by a {@code COPY} in it.
 */
final class RebuiltImage {
    private RebuiltImage() {}

    static String build(
            DockerEngine engine, Path dockerfile, String tag, Map<String, String> labels, Consumer<String> progress) {
        Path empty = null;
        Path tar = null;
        try {
            empty = Files.createTempDirectory("bottles-rebuild-context-");
            tar = Files.createTempFile("bottles-rebuild-", ".tar");
            BuildContext.write(empty, Files.readString(dockerfile, StandardCharsets.UTF_8), tar);
            return engine.buildTar(tar, BuildContext.DOCKERFILE, tag, labels, progress);
        } catch (IOException e) {
            throw new BottleException(
                    "cannot prepare the rebuild of " + tag + " from " + dockerfile + " (" + e + ")", e);
        } finally {
            if (empty != null) {
                SecureFiles.deleteRecursively(empty);
            }
            if (tar != null) {
                try {
                    Files.deleteIfExists(tar);
                } catch (IOException ignored) {
                    // a temp file
                }
            }
        }
    }
}
