package dev.bottles.spi;

import dev.bottles.state.Owner;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a cleanup should do, and to which bottles. A backend judges each of its bottles with
 * {@link #keeps(String, Map, boolean)}, which applies the ownership rule the same way for every
 * backend.
 *
 * @param dryRun report what would be removed without removing it
 * @param scoped whether only the bottles in {@code within} may be touched (the reaper of one bottle
 *     home); otherwise every bottle of the backend is judged
 * @param within the identities a scoped cleanup may touch
 * @param expired identities whose owner the caller knows is gone though the labels cannot tell: an
 *     owner on another host whose lease in the bottle home ran out ({@link Owner#LEASE_TERM})
 */
public record CleanupRequest(boolean dryRun, boolean scoped, Set<String> within, Set<String> expired) {

    /**
     * Copies the sets.
     *
     * @param dryRun report without removing
     * @param scoped whether only {@code within} may be touched
     * @param within the identities a scoped cleanup may touch
     * @param expired identities whose owner is known gone
     */
    public CleanupRequest {
        within = Set.copyOf(within);
        expired = Set.copyOf(expired);
    }

    /**
     * Creates an unscoped request.
     *
     * @param dryRun report without removing
     */
    public CleanupRequest(boolean dryRun) {
        this(dryRun, false, Set.of(), Set.of());
    }

    /**
     * Returns a request that removes things.
     *
     * @return the request
     */
    public static CleanupRequest remove() {
        return new CleanupRequest(false);
    }

    /**
     * Returns a request that only reports.
     *
     * @return the request
     */
    public static CleanupRequest reportOnly() {
        return new CleanupRequest(true);
    }

    /**
     * Returns this request limited to some bottles.
     *
     * @param identities the only bottles it may touch
     * @return the scoped request
     */
    public CleanupRequest within(Set<String> identities) {
        return new CleanupRequest(dryRun, true, identities, expired);
    }

    /**
     * Returns this request with bottles whose owners are known gone.
     *
     * @param identities bottles whose owner's lease ran out
     * @return the request
     */
    public CleanupRequest expiring(Set<String> identities) {
        return new CleanupRequest(dryRun, scoped, within, identities);
    }

    /**
     * Tells whether this cleanup may touch a bottle at all.
     *
     * @param identity the bottle
     * @return false for a bottle outside a scoped request
     */
    public boolean covers(String identity) {
        Objects.requireNonNull(identity, "identity");
        return !scoped || within.contains(identity);
    }

    /**
     * Judges whether a runtime resource of a bottle must be kept: it is outside this request, or
     * its owner may be alive ({@link Owner#keeps}) and the caller does not know that owner gone.
     *
     * @param identity the bottle the resource belongs to
     * @param labels the resource's labels
     * @param running whether the resource runs
     * @return whether to keep it
     */
    public boolean keeps(String identity, Map<String, String> labels, boolean running) {
        if (!covers(identity)) {
            return true;
        }
        if (expired.contains(identity)) {
            // a detached bottle is its own while it runs, whatever its launcher's lease says
            String label = labels.getOrDefault(Owner.LABEL, "");
            return running && label.startsWith(Owner.DETACHED);
        }
        return Owner.keeps(labels, running);
    }

    /**
     * Says why a resource this request does not keep may go, for the report and {@code --dry-run}.
     *
     * @param identity the bottle the resource belongs to
     * @param labels the resource's labels
     * @return e.g. {@code owner pid 4242 on build-7 is gone}
     */
    public String reason(String identity, Map<String, String> labels) {
        if (expired.contains(identity)) {
            return "its owner's lease ran out";
        }
        String label = labels.get(Owner.LABEL);
        if (label == null) {
            return "no owner recorded and not running";
        }
        boolean detached = label.startsWith(Owner.DETACHED);
        return Owner.parse(detached ? label.substring(Owner.DETACHED.length()) : label)
                .map(o -> (detached ? "detached, not running, its launcher pid " : "owner pid ") + o.pid() + " on "
                        + o.host() + " is gone")
                .orElse("owner unknown");
    }
}
