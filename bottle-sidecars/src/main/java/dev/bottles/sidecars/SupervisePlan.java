package dev.bottles.sidecars;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bottles.sidecars.internal.Json;
import dev.bottles.state.SecureFiles;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What {@link Supervise} prepared for one bottle.
 *
 * @param configFile the rendered {@code supervise.json} on the host
 * @param baseDockerfile the Dockerfile the agent proposes changes against, on the host
 * @param queueDir the host queue dir {@code queue/<identity>/} (0700), mounted read-write
 * @param config the configuration written to {@code configFile}
 */
public record SupervisePlan(Path configFile, Path baseDockerfile, Path queueDir, SuperviseConfig config) {

    /**
     * Validates the plan.
     *
     * @param configFile the rendered {@code supervise.json}
     * @param baseDockerfile the base Dockerfile
     * @param queueDir the host queue dir
     * @param config the configuration
     */
    public SupervisePlan {
        Objects.requireNonNull(configFile, "configFile");
        Objects.requireNonNull(baseDockerfile, "baseDockerfile");
        Objects.requireNonNull(queueDir, "queueDir");
        Objects.requireNonNull(config, "config");
    }

    /**
     * Returns the directory holding the plan's files.
     *
     * @return the {@code supervise/} state subdirectory
     */
    public Path directory() {
        return SecureFiles.parent(configFile);
    }

    /**
     * Returns the URL of the MCP endpoint for an address the agent dials.
     *
     * @param supervise where the agent reaches supervise
     * @return e.g. {@code http://192.168.42.2:9100/mcp}
     */
    public String url(HostPort supervise) {
        return "http://" + supervise + config.path();
    }

    /**
     * Renders the agent's {@code .mcp.json} registering supervise with Claude Code.
     *
     * @param supervise where the agent reaches supervise
     * @param access the bottle's access credential, sent as a bearer header
     * @return the JSON text
     */
    public String mcpJson(HostPort supervise, BundleAccess access) {
        ObjectNode root = Json.object();
        ObjectNode server = root.putObject("mcpServers").putObject("supervise");
        server.put("type", "http");
        server.put("url", url(supervise));
        server.putObject("headers").put("Authorization", "Bearer " + access.token());
        return Json.render(root);
    }
}
