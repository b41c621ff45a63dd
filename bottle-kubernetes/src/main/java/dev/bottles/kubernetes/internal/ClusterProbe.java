package dev.bottles.kubernetes.internal;

import dev.bottles.kubernetes.KubernetesSettings;
import dev.bottles.spi.Availability;
import dev.bottles.spi.Settings;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.VersionInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Decides whether bottles can run on the cluster, with reads and access reviews only (nothing is
 * created): the API answers; the namespace exists, enforces the {@code restricted} Pod Security
 * Standard and has a default-deny NetworkPolicy; the SDK may do what a bottle needs; both images are
 * set; and NetworkPolicy enforcement was verified on the namespace.
 */
public final class ClusterProbe {
    /** The namespace label that makes the API server enforce a Pod Security Standard. */
    public static final String PSA_ENFORCE = "pod-security.kubernetes.io/enforce";

    /**
     * One access the SDK needs.
     *
     * @param verb e.g. {@code create}
     * @param group the API group, empty for core
     * @param resource e.g. {@code pods}
     * @param subresource e.g. {@code exec}, or empty
     */
    public record Access(String verb, String group, String resource, String subresource) {
        @Override
        public String toString() {
            return verb + " " + (group.isEmpty() ? "" : group + "/") + resource
                    + (subresource.isEmpty() ? "" : "/" + subresource);
        }
    }

    /** Every access a launch, an exec, an approval, a listing and a cleanup need. */
    public static final List<Access> NEEDED = needed();

    private static List<Access> needed() {
        List<Access> out = new ArrayList<>();
        for (String v : List.of("create", "get", "list", "watch", "delete", "deletecollection")) {
            out.add(new Access(v, "", "pods", ""));
        }
        out.add(new Access("create", "", "pods", "exec"));
        out.add(new Access("get", "", "pods", "log"));
        for (String r : List.of("configmaps", "secrets")) {
            for (String v : List.of("create", "get", "list", "delete", "deletecollection")) {
                out.add(new Access(v, "", r, ""));
            }
        }
        for (String v : List.of("create", "get", "list", "delete", "deletecollection")) {
            out.add(new Access(v, "networking.k8s.io", "networkpolicies", ""));
        }
        return List.copyOf(out);
    }

    private ClusterProbe() {}

    /**
     * Probes.
     *
     * @param client the client, made on first use
     * @param settings the settings (namespace, images, trust)
     * @param timeout how long the API may take to answer at all
     * @return available, or unavailable with every unmet requirement and its fix
     */
    public static Availability probe(Supplier<KubernetesClient> client, Settings settings, java.time.Duration timeout) {
        KubernetesClient c;
        VersionInfo version;
        try {
            c = client.get();
            version = CompletableFuture.supplyAsync(c::getKubernetesVersion)
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return Availability.unavailable("no Kubernetes API answers (" + rootMessage(e) + "); set KUBECONFIG or "
                    + KubernetesSettings.CONTEXT + " to a cluster");
        }
        String ns = settings.get(KubernetesSettings.NAMESPACE, KubernetesSettings.DEFAULT_NAMESPACE);
        List<String> unmet = new ArrayList<>();
        try {
            unmet.addAll(unmet(c, settings, ns));
        } catch (KubernetesClientException e) {
            unmet.add("the cluster refused a read (" + e.getMessage() + ")");
        }
        String where = "Kubernetes " + version.getMajor() + "." + version.getMinor() + " at "
                + c.getConfiguration().getMasterUrl() + ", namespace " + ns;
        if (!unmet.isEmpty()) {
            return Availability.unavailable(where + " is not ready for bottles: " + String.join("; ", unmet))
                    .withFact("namespace", ns);
        }
        return Availability.available(where).withFact("namespace", ns).withFact("kubernetes", version.getGitVersion());
    }

    /**
     * Returns each requirement the cluster does not meet, with its fix.
     *
     * @param c the client
     * @param settings the settings
     * @param ns the namespace
     * @return the unmet requirements, empty when all are met
     */
    public static List<String> unmet(KubernetesClient c, Settings settings, String ns) {
        List<String> unmet = new ArrayList<>();
        Namespace namespace = c.namespaces().withName(ns).get();
        if (namespace == null) {
            unmet.add("namespace " + ns
                    + " does not exist (an admin applies the one-time objects in docs/kubernetes.md)");
            return unmet;
        }
        Map<String, String> labels = namespace.getMetadata().getLabels();
        if (labels == null || !"restricted".equals(labels.get(PSA_ENFORCE))) {
            unmet.add("namespace " + ns + " does not enforce the restricted Pod Security Standard (label it "
                    + PSA_ENFORCE + "=restricted)");
        }
        boolean deny = c.network().networkPolicies().inNamespace(ns).list().getItems().stream()
                .anyMatch(ClusterProbe::isDefaultDeny);
        if (!deny) {
            unmet.add("namespace " + ns + " has no default-deny NetworkPolicy (create "
                    + KubernetesSettings.DEFAULT_DENY + " from docs/kubernetes.md)");
        }
        List<String> denied = new ArrayList<>();
        for (Access a : NEEDED) {
            if (!allowed(c, ns, a)) {
                denied.add(a.toString());
            }
        }
        if (!denied.isEmpty()) {
            unmet.add("this identity may not " + String.join(", ", denied) + " in " + ns
                    + " (bind it to the Role in docs/kubernetes.md)");
        }
        for (String image : List.of(KubernetesSettings.IMAGE, KubernetesSettings.BUNDLE_IMAGE)) {
            if (settings.get(image).filter(v -> !v.isBlank()).isEmpty()) {
                unmet.add(image + " is not set (publish the images where the nodes pull: docs/kubernetes.md)");
            }
        }
        String runtime = settings.get(KubernetesSettings.RUNTIME_CLASS).orElse("");
        if (!runtime.isBlank()
                && c.resources(io.fabric8.kubernetes.api.model.node.v1.RuntimeClass.class)
                                .withName(runtime)
                                .get()
                        == null) {
            unmet.add("RuntimeClass " + runtime + " does not exist (unset " + KubernetesSettings.RUNTIME_CLASS
                    + " or install it)");
        }
        Map<String, String> notes = namespace.getMetadata().getAnnotations();
        boolean verified = notes != null && notes.containsKey(KubernetesSettings.VERIFIED_ANNOTATION);
        boolean trusted = "1".equals(settings.get(KubernetesSettings.TRUST_CNI, ""));
        if (!verified && !trusted) {
            unmet.add("NetworkPolicy enforcement has not been verified on " + ns + ": the API server accepts policies"
                    + " no network plugin enforces (verify it as docs/kubernetes.md says, or set "
                    + KubernetesSettings.TRUST_CNI
                    + "=1 if you have checked it yourself)");
        }
        return unmet;
    }

    /**
     * Tells whether a policy denies everything to every pod: it selects all pods and lists both
     * policy types with no rule.
     *
     * @param p the policy
     * @return true for a default deny
     */
    public static boolean isDefaultDeny(NetworkPolicy p) {
        var spec = p.getSpec();
        if (spec == null || spec.getPodSelector() == null) {
            return false;
        }
        var sel = spec.getPodSelector();
        boolean all = (sel.getMatchLabels() == null || sel.getMatchLabels().isEmpty())
                && (sel.getMatchExpressions() == null
                        || sel.getMatchExpressions().isEmpty());
        List<String> types = spec.getPolicyTypes() == null ? List.of() : spec.getPolicyTypes();
        return all
                && types.contains("Ingress")
                && types.contains("Egress")
                && (spec.getIngress() == null || spec.getIngress().isEmpty())
                && (spec.getEgress() == null || spec.getEgress().isEmpty());
    }

    private static boolean allowed(KubernetesClient c, String ns, Access a) {
        SelfSubjectAccessReview review = new SelfSubjectAccessReviewBuilder()
                .withNewSpec()
                .withNewResourceAttributes()
                .withNamespace(ns)
                .withVerb(a.verb())
                .withGroup(a.group())
                .withResource(a.resource())
                .withSubresource(a.subresource().isEmpty() ? null : a.subresource())
                .endResourceAttributes()
                .endSpec()
                .build();
        SelfSubjectAccessReview answer =
                c.authorization().v1().selfSubjectAccessReview().create(review);
        return answer != null
                && answer.getStatus() != null
                && Boolean.TRUE.equals(answer.getStatus().getAllowed());
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
