package dev.bottles.kubernetes;

import java.util.Objects;

/**
 * One attempt, from inside a bottle's agent pod, to reach something the bottle's fences must keep it
 * from (the internet directly, the cluster's DNS, the node, another bottle, the API server, the
 * metadata address), and what came of it.
 *
 * @param name what the attempt tries, e.g. {@code direct-egress}
 * @param target the address and port tried
 * @param outcome whether the connection was made
 * @param detail what the probe saw
 */
public record EscapeProbe(String name, String target, Outcome outcome, String detail) {
    /** What came of an attempt. */
    public enum Outcome {
        /** No connection: the fence held. */
        BLOCKED,
        /** A connection was made: the fence did not hold. */
        ESCAPED,
        /** The probe could not tell (its tool is missing, or it failed otherwise). */
        INCONCLUSIVE
    }

    /**
     * Validates.
     *
     * @param name the attempt
     * @param target the address tried
     * @param outcome the outcome
     * @param detail what was seen
     */
    public EscapeProbe {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(detail, "detail");
    }

    @Override
    public String toString() {
        return name + " " + target + ": " + outcome.name().toLowerCase(java.util.Locale.ROOT)
                + (detail.isEmpty() ? "" : " (" + detail + ")");
    }
}
