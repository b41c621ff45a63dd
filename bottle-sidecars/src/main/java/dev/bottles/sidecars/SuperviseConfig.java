package dev.bottles.sidecars;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bottles.BottleException;
import dev.bottles.sidecars.internal.ConfigFiles;
import dev.bottles.sidecars.internal.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The supervise daemon's configuration, {@code supervise.json}. Written by {@link Supervise}, read by
 * the daemon with this class.
 *
 * @param identity the bottle's identity
 * @param port the port it listens on
 * @param path the MCP endpoint's path
 * @param tools the tools it offers
 * @param queueDir where proposals and responses are exchanged with the host, inside the bundle
 * @param baseDockerfile the Dockerfile the agent proposes changes against, inside the bundle
 * @param callWait how long a tool call waits for the operator before answering "pending" (MCP
 *     clients time out long calls)
 */
public record SuperviseConfig(
        String identity,
        int port,
        String path,
        List<String> tools,
        String queueDir,
        String baseDockerfile,
        Duration callWait) {
    /** The format version this class writes and reads. */
    public static final int VERSION = 1;
    /** The tools offered by default. */
    public static final List<String> TOOLS = List.of("list-egress-routes", "egress-allow", "capability-block");
    /** How long a call waits for the operator by default, below the usual MCP client timeouts. */
    public static final Duration DEFAULT_CALL_WAIT = Duration.ofSeconds(30);

    /**
     * Validates and copies.
     *
     * @param identity the bottle's identity
     * @param port the port
     * @param path the endpoint path
     * @param tools the tools
     * @param queueDir the queue inside the bundle
     * @param baseDockerfile the base Dockerfile inside the bundle
     * @param callWait the wait before "pending"
     */
    public SuperviseConfig {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(path, "path");
        tools = List.copyOf(tools);
        Objects.requireNonNull(queueDir, "queueDir");
        Objects.requireNonNull(baseDockerfile, "baseDockerfile");
        Objects.requireNonNull(callWait, "callWait");
    }

    /**
     * Renders the file.
     *
     * @return the JSON text
     */
    public String render() {
        ObjectNode o = Json.object();
        o.put("version", VERSION);
        o.put("identity", identity);
        o.put("listen_port", port);
        o.put("path", path);
        tools.forEach(o.putArray("tools")::add);
        o.put("queue_dir", queueDir);
        o.put("base_dockerfile", baseDockerfile);
        o.put("call_wait_seconds", callWait.toSeconds());
        return Json.render(o);
    }

    /**
     * Reads a rendered file.
     *
     * @param file the file
     * @return the configuration
     * @throws BottleException when it is unreadable or malformed
     */
    public static SuperviseConfig read(Path file) {
        return parse(ConfigFiles.read(file), file.toString());
    }

    /**
     * Parses the file's text.
     *
     * @param text the JSON
     * @param source where it came from, for messages
     * @return the configuration
     * @throws BottleException when it is malformed
     */
    public static SuperviseConfig parse(String text, String source) {
        JsonNode o = Json.readVersioned(text, source, VERSION);
        List<String> tools = new ArrayList<>();
        o.path("tools").forEach(t -> tools.add(t.asText()));
        return new SuperviseConfig(
                o.path("identity").asText(),
                o.path("listen_port").asInt(),
                o.path("path").asText(),
                tools,
                o.path("queue_dir").asText(),
                o.path("base_dockerfile").asText(),
                Duration.ofSeconds(o.path("call_wait_seconds").asLong()));
    }
}
