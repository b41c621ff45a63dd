package dev.bottles.kubernetes;

import dev.bottles.BottleException;
import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.RunningBottle;
import dev.bottles.kubernetes.internal.ClusterProbe;
import dev.bottles.kubernetes.internal.EscapeProbes;
import dev.bottles.kubernetes.internal.Names;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.Manifest;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a cluster admin does once per namespace before bottles can run there: create the namespace
 * with the {@code restricted} Pod Security Standard, its default-deny NetworkPolicy and the SDK's
 * Role ({@link #initYaml}, {@link #applyInit}), and verify that the network plugin enforces
 * NetworkPolicy by trying to escape from a canary bottle ({@link #verify}), which records the result
 * on the namespace for {@link KubernetesBackend#probe()}. The {@code bottle k8s} commands call these.
 */
public final class KubernetesAdmin implements AutoCloseable {
    /** The SDK's Role in the namespace. */
    public static final String ROLE = "bottles-sdk";

    private final KubernetesClient client;
    private final boolean owned;

    KubernetesAdmin(KubernetesClient client) {
        this(client, false);
    }

    private KubernetesAdmin(KubernetesClient client, boolean owned) {
        this.client = client;
        this.owned = owned;
    }

    /**
     * Connects to the cluster the kubeconfig (context {@value KubernetesSettings#CONTEXT}) or the
     * in-cluster config names.
     *
     * @return the admin
     */
    public static KubernetesAdmin connect() {
        return new KubernetesAdmin(new KubernetesBackend().client(), true);
    }

    /**
     * The outcome of a verification.
     *
     * @param probes every escape attempt and the control (the canary reaching its own bundle)
     * @param enforced true when every attempt was blocked and the control connected
     * @param recorded the annotation written on the namespace, or null when none was
     */
    public record Verification(
            List<EscapeProbe> probes,
            boolean enforced,
            @Nullable String recorded) {
        /**
         * Copies.
         *
         * @param probes the probes
         * @param enforced whether enforcement holds
         * @param recorded the record, or null
         */
        public Verification {
            probes = List.copyOf(probes);
        }
    }

    private static List<HasMetadata> initObjects(String namespace) {
        List<PolicyRule> rules = List.of(
                rule("", "pods", "create", "get", "list", "watch", "delete", "deletecollection"),
                rule("", "pods/exec", "create", "get"),
                rule("", "pods/log", "get"),
                rule("", "configmaps", "create", "get", "list", "delete", "deletecollection"),
                rule("", "secrets", "create", "get", "list", "delete", "deletecollection"),
                rule("networking.k8s.io", "networkpolicies", "create", "get", "list", "delete", "deletecollection"));
        return List.of(
                new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(namespace)
                        .addToLabels(ClusterProbe.PSA_ENFORCE, "restricted")
                        .endMetadata()
                        .build(),
                new NetworkPolicyBuilder()
                        .withNewMetadata()
                        .withName(KubernetesSettings.DEFAULT_DENY)
                        .withNamespace(namespace)
                        .endMetadata()
                        .withNewSpec()
                        .withNewPodSelector()
                        .endPodSelector()
                        .withPolicyTypes("Ingress", "Egress")
                        .endSpec()
                        .build(),
                new RoleBuilder()
                        .withNewMetadata()
                        .withName(ROLE)
                        .withNamespace(namespace)
                        .endMetadata()
                        .withRules(rules)
                        .build());
    }

    private static PolicyRule rule(String group, String resource, String... verbs) {
        return new PolicyRuleBuilder()
                .withApiGroups(group)
                .withResources(resource)
                .withVerbs(verbs)
                .build();
    }

    /**
     * Returns the one-time objects as YAML, for an admin to read and apply: the namespace, its
     * default-deny NetworkPolicy and the SDK's Role (bind it to the SDK's identity).
     *
     * @param namespace the namespace
     * @return the YAML documents
     */
    public static String initYaml(String namespace) {
        StringBuilder sb = new StringBuilder();
        for (HasMetadata o : initObjects(namespace)) {
            sb.append(Serialization.asYaml(o));
        }
        return sb.toString();
    }

    /**
     * Creates or updates the one-time objects.
     *
     * @param namespace the namespace
     * @return what was applied, e.g. {@code Namespace bottles}
     */
    public List<String> applyInit(String namespace) {
        List<String> out = new ArrayList<>();
        for (HasMetadata o : initObjects(namespace)) {
            client.resource(o).createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
            out.add(o.getKind() + " " + o.getMetadata().getName());
        }
        return out;
    }

    /**
     * Verifies that the cluster enforces the bottles' fences in a namespace: launches two canary
     * bottles, and from the first one's agent tries to reach the internet directly, the cluster's DNS
     * service, the API server (its service and its address), the node, the other bottle's bundle and
     * the metadata address, and, as the control, its own bundle. When every attempt was blocked and
     * the control connected, records the result on the namespace. The canaries are removed whatever
     * happens.
     *
     * @param namespace the namespace
     * @param settings the images and other settings the canaries need
     * @param record whether to write the annotation when enforcement holds
     * @return what was tried and seen
     */
    public Verification verify(String namespace, Map<String, String> settings, boolean record) {
        Path home;
        try {
            home = Files.createTempDirectory("bottles-k8s-verify-");
        } catch (IOException e) {
            throw new BottleException("cannot make a bottle home for the canaries (" + e + ")", e);
        }
        KubernetesBackend backend = new KubernetesBackend(client);
        Map<String, String> s = new LinkedHashMap<>(settings);
        s.put(KubernetesSettings.NAMESPACE, namespace);
        List<EscapeProbe> probes = new ArrayList<>();
        RunningBottle a = null;
        RunningBottle b = null;
        try {
            a = Bottles.using(backend).prepare(canary(home, s)).launch();
            b = Bottles.using(backend).prepare(canary(home, s)).launch();
            RunningBottle probe = a;
            for (EscapeProbes.Target t : targets(namespace, a.identity(), b.identity())) {
                probes.add(EscapeProbes.attempt(probe::exec, t));
            }
            EscapeProbes.Target control = new EscapeProbes.Target(
                    "control-own-bundle",
                    podIp(namespace, Names.bundlePod(a.identity())),
                    dev.bottles.sidecars.Daemon.EGRESS.port());
            EscapeProbe own = EscapeProbes.attempt(probe::exec, control);
            probes.add(own);
            boolean enforced = own.outcome() == EscapeProbe.Outcome.ESCAPED
                    && probes.stream().filter(p -> p != own).allMatch(p -> p.outcome() == EscapeProbe.Outcome.BLOCKED);
            String recorded = null;
            if (enforced && record) {
                var v = client.getKubernetesVersion();
                recorded = Instant.now() + ", kubernetes " + v.getGitVersion() + ", " + (probes.size() - 1)
                        + " escape probes blocked";
                String value = recorded;
                client.namespaces()
                        .withName(namespace)
                        .edit(n -> new NamespaceBuilder(n)
                                .editMetadata()
                                .addToAnnotations(KubernetesSettings.VERIFIED_ANNOTATION, value)
                                .endMetadata()
                                .build());
            }
            return new Verification(probes, enforced, recorded);
        } finally {
            for (RunningBottle r : new RunningBottle[] {a, b}) {
                if (r != null) {
                    try {
                        r.close();
                    } catch (RuntimeException e) {
                        // the other canary still goes; cleanup finds what is left
                    }
                }
            }
            dev.bottles.state.SecureFiles.deleteRecursively(home);
        }
    }

    private static BottleSpec canary(Path home, Map<String, String> settings) {
        Manifest m = Manifest.builder()
                .bottle(BottleDefinition.builder("canary")
                        .route(EgressRoute.to("example.com"))
                        .build())
                .agent(AgentDefinition.builder("canary")
                        .bottle("canary")
                        .prompt("")
                        .build())
                .build();
        BottleSpec.Builder b = BottleSpec.builder("canary")
                .manifest(m)
                .home(home)
                .userCwd(home)
                .hostEnvironment(Map.of());
        settings.forEach(b::setting);
        return b.build();
    }

    private String podIp(String namespace, String pod) {
        Pod p = client.pods().inNamespace(namespace).withName(pod).get();
        if (p == null || p.getStatus() == null || p.getStatus().getPodIP() == null) {
            throw new BottleException("pod " + pod + " has no address");
        }
        return p.getStatus().getPodIP();
    }

    private List<EscapeProbes.Target> targets(String namespace, String probe, String other) {
        List<EscapeProbes.Target> out = new ArrayList<>();
        out.add(new EscapeProbes.Target("direct-egress", "1.1.1.1", 443));
        Service dns = client.services()
                .inNamespace("kube-system")
                .withName("kube-dns")
                .get();
        if (dns != null && dns.getSpec().getClusterIP() != null) {
            out.add(new EscapeProbes.Target("cluster-dns", dns.getSpec().getClusterIP(), 53));
        }
        Service api =
                client.services().inNamespace("default").withName("kubernetes").get();
        if (api != null && api.getSpec().getClusterIP() != null) {
            out.add(new EscapeProbes.Target("api-server-service", api.getSpec().getClusterIP(), 443));
        }
        URI master = URI.create(client.getConfiguration().getMasterUrl());
        if (master.getHost() != null) {
            out.add(new EscapeProbes.Target(
                    "api-server", master.getHost(), master.getPort() < 0 ? 443 : master.getPort()));
        }
        Pod agent = client.pods()
                .inNamespace(namespace)
                .withName(Names.agentPod(probe))
                .get();
        if (agent != null && agent.getStatus() != null && agent.getStatus().getHostIP() != null) {
            out.add(new EscapeProbes.Target("node-kubelet", agent.getStatus().getHostIP(), 10250));
        }
        out.add(new EscapeProbes.Target(
                "other-bottle", podIp(namespace, Names.bundlePod(other)), dev.bottles.sidecars.Daemon.EGRESS.port()));
        out.add(new EscapeProbes.Target("metadata", EscapeProbes.METADATA, 80));
        return out;
    }

    @Override
    public void close() {
        if (owned) {
            client.close();
        }
    }
}
