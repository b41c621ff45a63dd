package dev.bottles;

import dev.bottles.manifest.EgressRoute;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The operator's answer to a {@link Proposal}: approve it as asked, approve a modified version (a
 * narrower route, an edited Dockerfile), or reject it with a reason the agent sees.
 *
 * @param verdict the verdict
 * @param reason what the agent is told (required for a rejection)
 * @param route the route to apply when approving a modified egress proposal, or null
 * @param dockerfile the Dockerfile to apply when approving a modified capability proposal, or null
 */
public record Decision(
        Verdict verdict,
        String reason,
        @Nullable EgressRoute route,
        @Nullable String dockerfile) {

    /** The three answers. */
    public enum Verdict {
        /** Apply the proposal as asked. */
        APPROVED,
        /** Apply the operator's version of it. */
        APPROVED_MODIFIED,
        /** Apply nothing. */
        REJECTED
    }

    /**
     * Validates the decision.
     *
     * @param verdict the verdict
     * @param reason the reason
     * @param route the modified route, or null
     * @param dockerfile the modified Dockerfile, or null
     */
    public Decision {
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(reason, "reason");
        if (verdict == Verdict.REJECTED && reason.isBlank()) {
            throw new IllegalArgumentException("a rejection needs a reason the agent can act on");
        }
        if (verdict == Verdict.APPROVED_MODIFIED && route == null && dockerfile == null) {
            throw new IllegalArgumentException("an approval with changes carries the changed route or Dockerfile");
        }
    }

    /**
     * Approves as asked.
     *
     * @return the decision
     */
    public static Decision approve() {
        return new Decision(Verdict.APPROVED, "approved", null, null);
    }

    /**
     * Approves with a different route.
     *
     * @param route the route to apply instead
     * @return the decision
     */
    public static Decision approve(EgressRoute route) {
        return new Decision(Verdict.APPROVED_MODIFIED, "approved with changes", route, null);
    }

    /**
     * Approves with a different Dockerfile.
     *
     * @param dockerfile the Dockerfile to apply instead
     * @return the decision
     */
    public static Decision approve(String dockerfile) {
        return new Decision(Verdict.APPROVED_MODIFIED, "approved with changes", null, dockerfile);
    }

    /**
     * Rejects.
     *
     * @param reason what the agent is told
     * @return the decision
     */
    public static Decision reject(String reason) {
        return new Decision(Verdict.REJECTED, reason, null, null);
    }

    /**
     * Tells whether anything is applied.
     *
     * @return true unless rejected
     */
    public boolean approved() {
        return verdict != Verdict.REJECTED;
    }
}
