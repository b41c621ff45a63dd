package dev.bottles.manifest;

import dev.bottles.ManifestException;

/** A special meaning a route can carry. */
public enum RouteRole {
    /**
     * The route carrying Claude Code's OAuth token: the agent gets the placeholder
     * {@code CLAUDE_CODE_OAUTH_TOKEN=egress-placeholder} and egress injects the real token. At most
     * one route of a bottle has it.
     */
    CLAUDE_CODE_OAUTH("claude_code_oauth");

    private final String wire;

    RouteRole(String wire) {
        this.wire = wire;
    }

    /**
     * Returns the role as written in manifests.
     *
     * @return e.g. {@code claude_code_oauth}
     */
    public String wire() {
        return wire;
    }

    /**
     * Parses a manifest value.
     *
     * @param value the role as written
     * @return the role
     * @throws ManifestException when the role is unknown
     */
    public static RouteRole parse(String value) {
        for (RouteRole r : values()) {
            if (r.wire.equals(value.strip())) {
                return r;
            }
        }
        throw ManifestException.of("role", "unknown role '" + value + "'", "use claude_code_oauth or remove 'role'");
    }
}
