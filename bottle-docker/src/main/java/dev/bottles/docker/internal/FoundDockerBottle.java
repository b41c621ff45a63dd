package dev.bottles.docker.internal;

import dev.bottles.BottleException;
import dev.bottles.ExecOptions;
import dev.bottles.dockerengine.DockerEngine;
import dev.bottles.dockerengine.LabelledCleanup;
import dev.bottles.dockerengine.Labels;
import dev.bottles.spi.CleanupReport;
import dev.bottles.spi.FoundBottle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A Docker bottle found by its labels: commands run in its agent container as the container's
 * user (the agent's) with the forwarded values the launching program gave; removing it removes
 * every container, then every network, labelled with its identity.
 */
public final class FoundDockerBottle implements FoundBottle {
    private final DockerEngine engine;
    private final String backendId;
    private final String identity;
    private final String agent;
    private final Map<String, String> forwarded;
    private final boolean warm;

    private FoundDockerBottle(
            DockerEngine engine,
            String backendId,
            String identity,
            String agent,
            Map<String, String> forwarded,
            boolean warm) {
        this.warm = warm;
        this.engine = engine;
        this.backendId = backendId;
        this.identity = identity;
        this.agent = agent;
        this.forwarded = Map.copyOf(forwarded);
    }

    /**
     * Finds a bottle whose agent container runs now.
     *
     * @param engine the engine
     * @param backendId the {@code dev.bottles.backend} label value
     * @param identity the bottle's identity
     * @param forwarded the values to add to every command's environment
     * @return the bottle, or empty when its agent container does not run
     */
    public static Optional<FoundBottle> find(
            DockerEngine engine, String backendId, String identity, Map<String, String> forwarded) {
        return engine
                .containers(Map.of(Labels.BACKEND, backendId, Labels.ROLE, Labels.AGENT, Labels.IDENTITY, identity))
                .stream()
                .filter(DockerEngine.ContainerRef::running)
                .findFirst()
                .map(c -> new FoundDockerBottle(
                        engine,
                        backendId,
                        identity,
                        c.id(),
                        forwarded,
                        c.labels().containsKey(Labels.WARM)));
    }

    @Override
    public String identity() {
        return identity;
    }

    @Override
    public int attach(List<String> argv, ExecOptions options) {
        List<String> env = new ArrayList<>(warm ? warmEnv() : List.of());
        forwarded.forEach((k, v) -> env.add(k + "=" + v));
        options.env().forEach((k, v) -> env.add(k + "=" + v));
        // no user given: the container's own, which is the agent's
        return DockerBottle.attach(
                engine, new DockerEngine.Command(agent, argv, options.user(), DockerBottle.workdir(options), env));
    }

    /** A claimed warm agent's environment, from the file its claim wrote (none before a claim). */
    private List<String> warmEnv() {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(engine.copyFrom(agent, Labels.WARM_ENV_FILE))) {
            if (tar.getNextEntry() == null) {
                return List.of();
            }
            String text = new String(tar.readAllBytes(), StandardCharsets.UTF_8);
            return text.lines().filter(l -> l.indexOf('=') > 0).toList();
        } catch (IOException | BottleException e) {
            return List.of();
        }
    }

    @Override
    public void remove() {
        CleanupReport r = LabelledCleanup.bottle(engine, backendId, identity);
        if (!r.failed().isEmpty()) {
            throw new BottleException("stopping bottle " + identity + " left resources behind: "
                    + String.join("; ", r.failed()) + ". Remove them with 'bottle cleanup'");
        }
    }

    @Override
    public String toString() {
        return "FoundDockerBottle[" + identity + "]";
    }
}
