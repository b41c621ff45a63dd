package dev.bottles.sidecars;

import dev.bottles.BottleException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A sidecar bundle image and the daemons it can run, as its {@value #DAEMONS_LABEL} label lists
 * them. An image without the label is taken to run whatever it is asked (a user's own image).
 *
 * @param reference the image reference
 * @param daemons the daemons the image has, or null when it does not say
 */
public record BundleImage(String reference, @Nullable List<Daemon> daemons) {
    /** Where the SDK's bundle image holds the bundle's jar ({@code java -jar} it for a subcommand). */
    public static final String JAR_IN_IMAGE = "/opt/bottles/bottle-bundle.jar";
    /** The image label listing the daemons an image has, e.g. {@code egress,git-gate,supervise}. */
    public static final String DAEMONS_LABEL = "dev.bottles.bundle.daemons";

    /**
     * Validates and copies.
     *
     * @param reference the image reference
     * @param daemons the daemons, or null
     */
    public BundleImage {
        Objects.requireNonNull(reference, "reference");
        if (reference.isBlank()) {
            throw new IllegalArgumentException("empty bundle image reference");
        }
        daemons = daemons == null ? null : List.copyOf(daemons);
    }

    /**
     * Reads an image's capabilities from its labels.
     *
     * @param reference the image reference
     * @param labels its labels
     * @return the image
     * @throws BottleException when the label names an unknown daemon
     */
    public static BundleImage fromLabels(String reference, Map<String, String> labels) {
        String v = labels.get(DAEMONS_LABEL);
        if (v == null) {
            return new BundleImage(reference, null);
        }
        try {
            return new BundleImage(
                    reference,
                    Arrays.stream(v.split(","))
                            .map(String::strip)
                            .filter(s -> !s.isEmpty())
                            .map(Daemon::named)
                            .toList());
        } catch (IllegalArgumentException e) {
            throw new BottleException("image " + reference + ": label " + DAEMONS_LABEL + ": " + e.getMessage(), e);
        }
    }

    /**
     * Tells whether the image has a daemon.
     *
     * @param daemon the daemon
     * @return true when it has it, or does not say
     */
    public boolean has(Daemon daemon) {
        return daemons == null || daemons.contains(daemon);
    }

    /**
     * Returns the daemons this image runs for a bottle that wants {@code wanted}: pipelock is left
     * out when the image lacks it (egress then dials upstreams directly); a missing agent-facing
     * daemon is an error, since the bottle's agent would dial it.
     *
     * @param wanted the daemons the bottle needs
     * @return the daemons to start
     * @throws BottleException naming the image, the daemon and the fix
     */
    public SidecarBundle effective(SidecarBundle wanted) {
        List<Daemon> out = new ArrayList<>();
        for (Daemon d : wanted.daemons()) {
            if (has(d)) {
                out.add(d);
            } else if (d.agentFacing()) {
                throw new BottleException("bundle image " + reference + " has no " + d.wireName()
                        + " daemon (its label "
                        + DAEMONS_LABEL + " lists " + daemons + "), but this bottle needs it; use an image that has it"
                        + " (set " + BundleLaunchSpec.IMAGE_SETTING + ") or drop the bottle's "
                        + (d == Daemon.GIT_GATE ? "git entries" : "supervise flag"));
            }
        }
        return new SidecarBundle(out);
    }

    /**
     * Describes what the image leaves out for a bottle, for plan output.
     *
     * @param wanted the daemons the bottle needs
     * @return lines such as {@code pipelock: not in image ...}, or none
     */
    public List<String> notes(SidecarBundle wanted) {
        List<String> out = new ArrayList<>();
        if (wanted.runs(Daemon.PIPELOCK) && !has(Daemon.PIPELOCK)) {
            out.add("pipelock: not in bundle image " + reference + "; egress enforces the allowlist and dials upstreams"
                    + " directly (no DLP scanning)");
        }
        return out;
    }
}
