package dev.bottles.kubernetes;

/**
 * The settings the kubernetes backend reads (from the spec's settings, then the environment). The
 * page {@code docs/kubernetes.md} says what each does and what the cluster must provide.
 */
public final class KubernetesSettings {
    /** The kubeconfig context to use; unset: the current context, or the in-cluster config. */
    public static final String CONTEXT = "BOTTLE_K8S_CONTEXT";
    /** The namespace bottles run in; {@value #DEFAULT_NAMESPACE} by default. */
    public static final String NAMESPACE = "BOTTLE_K8S_NAMESPACE";
    /** The default namespace. */
    public static final String DEFAULT_NAMESPACE = "bottles";
    /** The agent image the nodes pull (required: there is no local build on a cluster). */
    public static final String IMAGE = "CLAUDE_BOTTLE_IMAGE";
    /** The bundle image the nodes pull (required). */
    public static final String BUNDLE_IMAGE = "CLAUDE_BOTTLE_SIDECAR_IMAGE";
    /** A RuntimeClass for the agent pod ({@code gvisor}, {@code kata}); unset: the cluster's default. */
    public static final String RUNTIME_CLASS = "BOTTLE_K8S_RUNTIME_CLASS";
    /** The agent's uid in its image; 1000 by default (the SDK image's {@code node}). */
    public static final String AGENT_UID = "BOTTLE_K8S_AGENT_UID";
    /** The agent's home in its image; {@code /home/node} by default. */
    public static final String AGENT_HOME = "BOTTLE_K8S_AGENT_HOME";
    /** The agent pod's memory limit; {@code 4Gi} by default. */
    public static final String AGENT_MEMORY = "BOTTLE_K8S_AGENT_MEMORY";
    /** The longest a bottle's pods live, in seconds, a backstop when nobody removes them; a day by default. */
    public static final String ACTIVE_DEADLINE = "BOTTLE_K8S_ACTIVE_DEADLINE";
    /** Node labels both pods must match, {@code key=value,key=value}; unset: any node. */
    public static final String NODE_SELECTOR = "BOTTLE_K8S_NODE_SELECTOR";
    /**
     * Ports the bundle may dial beyond 80, 443 and 22 and the bottle's git upstreams' ports,
     * comma-separated (a private upstream such as {@code gitea.example:30009}).
     */
    public static final String UPSTREAM_PORTS = "BOTTLE_K8S_UPSTREAM_PORTS";
    /**
     * Set to {@code 1} to trust that the cluster's network plugin enforces NetworkPolicy without the
     * record of a verification on the namespace ({@code docs/kubernetes.md}). For admins who have checked it
     * themselves.
     */
    public static final String TRUST_CNI = "BOTTLE_K8S_TRUST_CNI";
    /** How long launch waits for both pods to be ready, in seconds; 300 by default (image pulls). */
    public static final String READY_TIMEOUT = "BOTTLE_K8S_READY_TIMEOUT";

    /** The namespace annotation recording that NetworkPolicy enforcement was verified there ({@code docs/kubernetes.md}). */
    public static final String VERIFIED_ANNOTATION = "dev.bottles/verified-enforcement";
    /** The namespace's default-deny NetworkPolicy, one of the admin's one-time objects ({@code docs/kubernetes.md}). */
    public static final String DEFAULT_DENY = "bottles-default-deny";

    private KubernetesSettings() {}
}
