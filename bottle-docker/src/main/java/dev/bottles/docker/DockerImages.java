package dev.bottles.docker;

import dev.bottles.BottleException;
import dev.bottles.docker.internal.AgentImages;
import dev.bottles.dockerengine.BundleImages;
import dev.bottles.dockerengine.DockerEngine;
import dev.bottles.spi.Settings;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The SDK's two images on a Docker engine, for users who run bottles somewhere that cannot build
 * them (a Kubernetes cluster): builds the agent image with Claude Code and the sidecar bundle image as
 * the docker backend would, and publishes them to a registry under the same names.
 */
public final class DockerImages implements AutoCloseable {
    private static final Pattern REGISTRY = Pattern.compile("[A-Za-z0-9.-]+(:[0-9]+)?(/[a-z0-9._/-]+)?");

    private final DockerEngine engine;

    private DockerImages(DockerEngine engine) {
        this.engine = engine;
    }

    /**
     * Connects to the engine {@code DOCKER_HOST} names, else the local socket.
     *
     * @return the images
     */
    public static DockerImages connect() {
        return new DockerImages(DockerEngine.connect(System.getenv(DockerSettings.DOCKER_HOST)));
    }

    /**
     * The two images.
     *
     * @param agent the agent image's reference
     * @param bundle the bundle image's reference
     */
    public record Pair(String agent, String bundle) {}

    /**
     * Builds both images unless the engine has them.
     *
     * @param settings the build settings (Claude Code's version, bases, …) as for the docker backend
     * @param progress receives build output
     * @return their local references
     */
    public Pair ensure(Map<String, String> settings, Consumer<String> progress) {
        Settings s = new Settings(settings, System.getenv());
        Map<String, String> build = DockerBackend.bundleBuild(s);
        String agent = AgentImages.reference(build);
        AgentImages.ensure(engine, agent, build, progress);
        var bundle = BundleImages.describe(engine, s);
        BundleImages.ensure(engine, bundle, s, progress);
        return new Pair(agent, bundle.reference());
    }

    /**
     * Publishes a local image to a registry: tags it {@code <registry>/<repository>:<tag>} and pushes.
     *
     * @param local the local reference, e.g. {@code claude-bottle:1a2b3c}
     * @param registry e.g. {@code registry.example:5000/team}
     * @param progress receives push status lines
     * @return the published reference
     * @throws BottleException when the registry is malformed or the push fails
     */
    public String publish(String local, String registry, Consumer<String> progress) {
        if (!REGISTRY.matcher(registry).matches()) {
            throw new BottleException("'" + registry + "' is not a registry such as registry.example:5000/team");
        }
        int colon = local.lastIndexOf(':');
        String repository = colon > 0 && !local.substring(colon).contains("/") ? local.substring(0, colon) : local;
        String tag = colon > 0 && !local.substring(colon).contains("/") ? local.substring(colon + 1) : "latest";
        String name = repository.substring(repository.lastIndexOf('/') + 1);
        String target = registry.replaceFirst("/+$", "") + "/" + name;
        engine.tag(local, target, tag);
        engine.push(target, tag, progress);
        return target + ":" + tag;
    }

    @Override
    public void close() {
        engine.close();
    }
}
