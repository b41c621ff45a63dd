package dev.bottles.state;

import java.time.Instant;
import java.util.Objects;

/**
 * What {@code state/<identity>/metadata.json} records about a bottle, in the original's fields, so
 * {@code resume} can rebuild its spec and the original's tools still see it.
 *
 * @param identity the bottle's identity
 * @param agentName the agent's name
 * @param cwd the host directory copied into the bottle; empty unless {@code copyCwd}
 * @param copyCwd whether the cwd was copied in
 * @param startedAt when it was prepared
 * @param composeProject the compose project name ({@code claude-bottle-<identity>} on docker, empty
 *     elsewhere)
 * @param backend the backend's id
 */
public record BottleMetadata(
        String identity,
        String agentName,
        String cwd,
        boolean copyCwd,
        Instant startedAt,
        String composeProject,
        String backend) {

    /**
     * Validates the metadata.
     *
     * @param identity the bottle's identity
     * @param agentName the agent's name
     * @param cwd the host directory copied into the bottle; empty unless {@code copyCwd}
     * @param copyCwd whether the cwd was copied in
     * @param startedAt when it was prepared
     * @param composeProject the compose project name ({@code claude-bottle-<identity>} on docker, empty
     *     elsewhere)
     * @param backend the backend's id
     */
    public BottleMetadata {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(agentName, "agentName");
        Objects.requireNonNull(cwd, "cwd");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(composeProject, "composeProject");
        Objects.requireNonNull(backend, "backend");
    }
}
