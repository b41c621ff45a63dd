package dev.bottles.sidecars;

import dev.bottles.state.SecureFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Prepares supervise, the MCP server through which the agent proposes capability changes for the
 * operator to approve on the host.
 */
public final class Supervise {
    /** Where the bundle mounts the {@code supervise/} state subdirectory. */
    public static final String DIR_IN_CONTAINER = "/etc/supervise";
    /** The configuration inside the bundle. */
    public static final String CONFIG_IN_CONTAINER = DIR_IN_CONTAINER + "/supervise.json";
    /** The base Dockerfile inside the bundle. */
    public static final String DOCKERFILE_IN_CONTAINER = DIR_IN_CONTAINER + "/Dockerfile";
    /** Where the host queue dir is mounted (read-write) inside the bundle. */
    public static final String QUEUE_IN_CONTAINER = "/run/supervise/queue";
    /** The MCP endpoint's path. */
    public static final String PATH = "/mcp";

    /**
     * Writes {@code supervise.json} and {@code Dockerfile} (0600) and creates the host queue dir
     * (0700).
     *
     * @param identity the bottle's identity
     * @param dir the {@code supervise/} state subdirectory (exists, 0700)
     * @param queueDir the host queue dir, {@code $BOTTLE_HOME/queue/<identity>/}
     * @param baseDockerfile the agent image's Dockerfile, which the agent proposes changes against;
     *     empty when unknown
     * @return the plan
     */
    public SupervisePlan prepare(String identity, Path dir, Path queueDir, String baseDockerfile) {
        Objects.requireNonNull(baseDockerfile, "baseDockerfile");
        SecureFiles.createPrivateDirectories(queueDir);
        SuperviseConfig config = new SuperviseConfig(
                identity,
                Daemon.SUPERVISE.port(),
                PATH,
                SuperviseConfig.TOOLS,
                QUEUE_IN_CONTAINER,
                DOCKERFILE_IN_CONTAINER,
                SuperviseConfig.DEFAULT_CALL_WAIT);
        Path configFile = dir.resolve("supervise.json");
        SecureFiles.writePrivate(configFile, config.render().getBytes(StandardCharsets.UTF_8));
        Path dockerfile = dir.resolve("Dockerfile");
        SecureFiles.writePrivate(dockerfile, baseDockerfile.getBytes(StandardCharsets.UTF_8));
        return new SupervisePlan(configFile, dockerfile, queueDir, config);
    }
}
