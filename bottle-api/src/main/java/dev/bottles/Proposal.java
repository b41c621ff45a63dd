package dev.bottles;

import dev.bottles.manifest.EgressRoute;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A capability change an agent asked for through supervise, waiting for the operator: a new egress
 * route ({@link Kind#EGRESS_ALLOW}) or a new agent image ({@link Kind#CAPABILITY_BLOCK}, a proposed
 * Dockerfile). Its {@link #id} is a hash of its content, so an agent that asks again gets the same
 * proposal, and the operator's decision applies to exactly what was shown.
 *
 * @param id the content hash (16 hex digits)
 * @param bottle the bottle's identity
 * @param kind what is asked for
 * @param route the route asked for ({@link Kind#EGRESS_ALLOW}), or null
 * @param dockerfile the Dockerfile asked for ({@link Kind#CAPABILITY_BLOCK}), or null
 * @param justification why, in the agent's words
 * @param createdAt when the agent asked
 */
public record Proposal(
        String id,
        String bottle,
        Kind kind,
        @Nullable EgressRoute route,
        @Nullable String dockerfile,
        String justification,
        Instant createdAt) {

    /** What a proposal asks for, named as the supervise tool that makes it. */
    public enum Kind {
        /** A new egress route (or more paths on an existing one). */
        EGRESS_ALLOW("egress-allow"),
        /** A new agent image: the bottle is rebuilt from the Dockerfile on resume. */
        CAPABILITY_BLOCK("capability-block");

        private final String tool;

        Kind(String tool) {
            this.tool = tool;
        }

        /**
         * Returns the supervise tool's name.
         *
         * @return e.g. {@code egress-allow}
         */
        public String tool() {
            return tool;
        }

        /**
         * Looks a kind up by its tool's name.
         *
         * @param tool e.g. {@code capability-block}
         * @return the kind
         * @throws IllegalArgumentException for another name
         */
        public static Kind ofTool(String tool) {
            for (Kind k : values()) {
                if (k.tool.equals(tool)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("no proposal kind for tool '" + tool + "'");
        }
    }

    /**
     * Validates the proposal.
     *
     * @param id the content hash
     * @param bottle the bottle
     * @param kind the kind
     * @param route the route, or null
     * @param dockerfile the Dockerfile, or null
     * @param justification why
     * @param createdAt when
     */
    public Proposal {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(bottle, "bottle");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(justification, "justification");
        Objects.requireNonNull(createdAt, "createdAt");
        if ((kind == Kind.EGRESS_ALLOW) != (route != null) || (kind == Kind.CAPABILITY_BLOCK) != (dockerfile != null)) {
            throw new IllegalArgumentException("a " + kind.tool() + " proposal carries "
                    + (kind == Kind.EGRESS_ALLOW ? "a route" : "a Dockerfile") + " and nothing else");
        }
    }
}
