package dev.bottles.kubernetes.internal;

/**
 * The names and labels of a bottle's cluster objects. The label keys are the docker backend's, which
 * are valid Kubernetes label keys; the owner, which a label value cannot hold, is an annotation.
 */
public final class Names {
    /** The identity label. */
    public static final String IDENTITY = "dev.bottles.identity";
    /** The backend label. */
    public static final String BACKEND = "dev.bottles.backend";
    /** The role label: anchor, secrets, policy, bundle or agent. */
    public static final String ROLE = "dev.bottles.role";
    /** The agent's name. */
    public static final String AGENT_NAME = "dev.bottles.agent";
    /** The owner annotation (the docker backend's owner label). */
    public static final String OWNER = dev.bottles.state.Owner.LABEL;
    /** The annotation listing the bundle's daemons. */
    public static final String SERVICES = "dev.bottles.services";
    /** The container of the agent pod. */
    public static final String AGENT_CONTAINER = "agent";
    /** The container of the bundle pod. */
    public static final String BUNDLE_CONTAINER = "bundle";

    /** The anchor's role. */
    public static final String ANCHOR = "anchor";
    /** The Secret's role. */
    public static final String SECRETS = "secrets";
    /** The NetworkPolicies' role. */
    public static final String POLICY = "policy";
    /** The bundle pod's role. */
    public static final String BUNDLE = "bundle";
    /** The agent pod's role. */
    public static final String AGENT = "agent";

    private Names() {}

    /**
     * Returns the anchor ConfigMap's name, which is also the Secret's and the agent pod's.
     *
     * @param identity the bottle
     * @return {@code bottle-<identity>}
     */
    public static String anchor(String identity) {
        return "bottle-" + identity;
    }

    /**
     * Returns the agent pod's name.
     *
     * @param identity the bottle
     * @return {@code bottle-<identity>}
     */
    public static String agentPod(String identity) {
        return anchor(identity);
    }

    /**
     * Returns the bundle pod's name.
     *
     * @param identity the bottle
     * @return {@code bottle-<identity>-bundle}
     */
    public static String bundlePod(String identity) {
        return anchor(identity) + "-bundle";
    }

    /**
     * Returns the name of the NetworkPolicy that fences a role's pod.
     *
     * @param identity the bottle
     * @param role {@link #AGENT} or {@link #BUNDLE}
     * @return {@code bottle-<identity>-<role>}
     */
    public static String policy(String identity, String role) {
        return anchor(identity) + "-" + role;
    }

    /**
     * Makes a string a valid label value: at most 63 characters of {@code [A-Za-z0-9_.-]}, starting
     * and ending with an alphanumeric.
     *
     * @param value the value
     * @return the label value (empty when nothing is left)
     */
    public static String labelValue(String value) {
        String v = value.replaceAll("[^A-Za-z0-9_.-]", "-");
        if (v.length() > 63) {
            v = v.substring(0, 63);
        }
        return v.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
    }
}
