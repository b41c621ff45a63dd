package dev.bottles.dockerengine;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.BuildImageCmd;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.BuildResponseItem;
import dev.bottles.BottleException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The engine's images and builds: exists, build from a context, labels, remove; {@link
 * DockerEngine} delegates here.
 */
final class EngineImages extends EngineResource {
    EngineImages(DockerEngine engine, DockerClient client) {
        super(engine, client);
    }

    boolean imageExists(String ref) {
        return found("image " + ref, () -> client.inspectImageCmd(ref).exec());
    }

    void tag(String ref, String repository, String tag) {
        try {
            client.tagImageCmd(ref, repository, tag).exec();
        } catch (DockerException e) {
            throw new BottleException(
                    "cannot tag image " + ref + " as " + repository + ":" + tag + ": " + e.getMessage(), e);
        }
    }

    void push(String repository, String tag, Consumer<String> progress) {
        List<String> errors = new ArrayList<>();
        try {
            client.pushImageCmd(repository)
                    .withTag(tag)
                    .exec(
                            new com.github.dockerjava.api.async.ResultCallback.Adapter<
                                    com.github.dockerjava.api.model.PushResponseItem>() {
                                @Override
                                public void onNext(com.github.dockerjava.api.model.PushResponseItem item) {
                                    if (item.getErrorDetail() != null) {
                                        errors.add(String.valueOf(
                                                item.getErrorDetail().getMessage()));
                                    } else if (item.getStatus() != null) {
                                        progress.accept(
                                                item.getStatus() + (item.getId() != null ? " " + item.getId() : ""));
                                    }
                                }
                            })
                    .awaitCompletion();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BottleException("interrupted while pushing " + repository + ":" + tag, e);
        } catch (RuntimeException e) {
            throw new BottleException("pushing " + repository + ":" + tag + " failed: " + e.getMessage(), e);
        }
        if (!errors.isEmpty()) {
            throw new BottleException("pushing " + repository + ":" + tag + " failed: " + String.join("; ", errors));
        }
    }

    void removeImage(String ref) {
        try {
            client.removeImageCmd(ref).withForce(true).exec();
        } catch (NotFoundException e) {
            return;
        } catch (DockerException e) {
            throw new BottleException("cannot remove image " + ref + ": " + e.getMessage(), e);
        }
    }

    String build(File context, File dockerfile, String tag, Map<String, String> labels, Consumer<String> progress) {
        return awaitBuild(
                client.buildImageCmd().withBaseDirectory(context).withDockerfile(dockerfile),
                tag,
                labels,
                progress,
                context.toString());
    }

    private String awaitBuild(
            BuildImageCmd cmd, String tag, Map<String, String> labels, Consumer<String> progress, String from) {
        List<String> tail = new ArrayList<>();
        try {
            return cmd.withTags(Set.of(tag))
                    .withLabels(labels)
                    .withPull(false)
                    .withRemove(true)
                    .exec(new BuildImageResultCallback() {
                        @Override
                        public void onNext(BuildResponseItem item) {
                            String s = item.getStream();
                            if (s != null && !s.isBlank()) {
                                String line = s.stripTrailing();
                                progress.accept(line);
                                tail.add(line);
                                if (tail.size() > 30) {
                                    tail.remove(0);
                                }
                            }
                            super.onNext(item);
                        }
                    })
                    .awaitImageId();
        } catch (RuntimeException e) {
            throw new BottleException(
                    "building image " + tag + " from " + from + " failed: " + e.getMessage()
                            + (tail.isEmpty() ? "" : "\nlast build output:\n  " + String.join("\n  ", tail)),
                    e);
        }
    }

    String buildTar(Path tar, String dockerfile, String tag, Map<String, String> labels, Consumer<String> progress) {
        try (InputStream in = Files.newInputStream(tar)) {
            return awaitBuild(
                    client.buildImageCmd(in).withDockerfilePath(dockerfile),
                    tag,
                    labels,
                    progress,
                    "the context " + tar);
        } catch (IOException e) {
            throw new BottleException("cannot read build context " + tar + " (" + e + ")", e);
        }
    }

    Optional<Map<String, String>> imageLabels(String ref) {
        try {
            var cfg = client.inspectImageCmd(ref).exec().getConfig();
            Map<String, String> labels = cfg == null || cfg.getLabels() == null ? Map.of() : cfg.getLabels();
            return Optional.of(Map.copyOf(labels));
        } catch (NotFoundException e) {
            return Optional.empty();
        } catch (DockerException e) {
            throw new BottleException("cannot inspect image " + ref + ": " + e.getMessage(), e);
        }
    }
}
