package dev.bottles.sidecars;

import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.RequestTarget;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What egress does with one request: forward it (spliced, or with the route's credential
 * injected) or refuse it with a reason that starts with {@code blocked: }.
 *
 * @param allowed whether the request is forwarded
 * @param host the requested host, lower-cased
 * @param route the route that matched, or null when none did
 * @param reason why; for a refusal, the text egress answers with (status 403)
 * @param target the canonical request target egress forwards, or null when no path was decided
 *     (a CONNECT before TLS) or the request was refused
 */
public record EgressDecision(
        boolean allowed,
        String host,
        @Nullable EgressRoute route,
        String reason,
        @Nullable RequestTarget target) {

    /**
     * Validates the decision.
     *
     * @param allowed whether the request is forwarded
     * @param host the requested host
     * @param route the matching route, or null
     * @param reason why
     * @param target the canonical target, or null
     */
    public EgressDecision {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * Creates a decision about a host alone.
     *
     * @param allowed whether the request is forwarded
     * @param host the requested host
     * @param route the matching route, or null
     * @param reason why
     */
    public EgressDecision(boolean allowed, String host, @Nullable EgressRoute route, String reason) {
        this(allowed, host, route, reason, null);
    }

    /**
     * Tells whether egress injects a credential for this request.
     *
     * @return true when allowed on a route with {@code auth}
     */
    public boolean injectsCredential() {
        return allowed && route != null && route.auth() != null;
    }
}
