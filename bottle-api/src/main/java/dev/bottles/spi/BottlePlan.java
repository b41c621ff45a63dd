package dev.bottles.spi;

import java.nio.file.Path;
import java.util.List;

/**
 * The immutable result of a backend's prepare: every name, file and setting a launch will use.
 * Each backend has its own record (e.g. {@code DockerBottlePlan}); all can be inspected and
 * printed with secrets masked.
 *
 * <p>A plan may hold forwarded secret values in memory for its launch; {@link #toJson()} and
 * {@link Object#toString()} must never show them.
 */
public interface BottlePlan {

    /**
     * Returns the bottle's identity.
     *
     * @return e.g. {@code researcher-m3hxd}
     */
    String identity();

    /**
     * Returns the id of the backend that made the plan.
     *
     * @return e.g. {@code docker}
     */
    String backendId();

    /**
     * Returns the name of the agent the bottle runs.
     *
     * @return the agent's name
     */
    String agentName();

    /**
     * Returns the bottle's state directory.
     *
     * @return {@code $BOTTLE_HOME/state/<identity>}
     */
    Path stateDir();

    /**
     * Returns the command that starts the agent inside the bottle: Claude Code unattended, with the
     * agent's prompt and MCP config where the backend puts them. A CLI attaches it to the user's
     * terminal.
     *
     * @return the argv
     */
    default List<String> agentCommand() {
        return List.of("claude", "--dangerously-skip-permissions");
    }

    /**
     * Returns the compose project name recorded in {@code metadata.json} for the original's tools.
     *
     * @return the project name, or empty when the backend has none
     */
    default String composeProject() {
        return "";
    }

    /**
     * Renders the plan as JSON, with every secret value masked.
     *
     * @return a JSON object
     */
    String toJson();
}
