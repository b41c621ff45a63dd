package dev.bottles.kubernetes;

import dev.bottles.BottleException;
import dev.bottles.kubernetes.internal.ClusterProbe;
import dev.bottles.kubernetes.internal.FoundKubeBottle;
import dev.bottles.kubernetes.internal.KubeLaunch;
import dev.bottles.kubernetes.internal.Names;
import dev.bottles.kubernetes.internal.Teardown;
import dev.bottles.manifest.GitRemote;
import dev.bottles.sidecars.BundleImage;
import dev.bottles.sidecars.BundleLaunchSpec;
import dev.bottles.sidecars.SidecarBundle;
import dev.bottles.sidecars.SidecarPlans;
import dev.bottles.spi.Availability;
import dev.bottles.spi.BackendBottle;
import dev.bottles.spi.BottleBackend;
import dev.bottles.spi.BottleEvents;
import dev.bottles.spi.BottlePlan;
import dev.bottles.spi.BottleSummary;
import dev.bottles.spi.CleanupReport;
import dev.bottles.spi.CleanupRequest;
import dev.bottles.spi.FoundBottle;
import dev.bottles.spi.PrepareRequest;
import dev.bottles.spi.Settings;
import dev.bottles.state.Owner;
import dev.bottles.state.SecureFiles;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Runs bottles on a Kubernetes cluster through the fabric8 client: per bottle an agent pod and a
 * sidecar bundle pod, fenced by two NetworkPolicies over the namespace's default deny, the bundle's
 * credentials in a Secret only the bundle pod mounts, every object owned by one anchor ConfigMap.
 * The cluster must enforce NetworkPolicy; {@link #probe()} says unavailable until that was verified.
 * Setup, settings and what was verified: {@code docs/kubernetes.md}.
 *
 * <p>One client per backend instance, created on first use from the kubeconfig (context
 * {@value KubernetesSettings#CONTEXT}) or the in-cluster config.
 */
public final class KubernetesBackend implements BottleBackend {
    /** The backend's id. */
    public static final String ID = "kubernetes";
    /** Below docker's and smolmachines': a workstation keeps its engine unless kubernetes is chosen. */
    public static final int PRIORITY = 25;
    /** The ports the bundle may always dial outside the cluster: HTTP, HTTPS and SSH. */
    public static final List<Integer> DEFAULT_UPSTREAM_PORTS = List.of(80, 443, 22);

    private final @Nullable String context;
    private final boolean configured;
    private volatile @Nullable KubernetesClient client;
    private volatile @Nullable Availability probed;

    /** Creates the backend for the kubeconfig's context {@value KubernetesSettings#CONTEXT} names, or the current one. */
    public KubernetesBackend() {
        this.context = System.getenv(KubernetesSettings.CONTEXT);
        this.configured = configured(System.getenv());
    }

    KubernetesBackend(KubernetesClient client) {
        this.context = null;
        this.configured = true;
        this.client = client;
    }

    /**
     * Tells, without a network call, whether any cluster is configured: a kubeconfig ({@code KUBECONFIG}
     * or {@code ~/.kube/config}) or the in-cluster service environment. Backend selection probes every
     * backend; a workstation with no cluster must not wait for one.
     */
    static boolean configured(Map<String, String> env) {
        if (env.containsKey("KUBERNETES_SERVICE_HOST")) {
            return true;
        }
        String kubeconfig = env.get("KUBECONFIG");
        if (kubeconfig != null && !kubeconfig.isBlank()) {
            for (String f : kubeconfig.split(java.io.File.pathSeparator)) {
                if (Files.isRegularFile(Path.of(f))) {
                    return true;
                }
            }
            return false;
        }
        return Files.isRegularFile(Path.of(System.getProperty("user.home"), ".kube", "config"));
    }

    KubernetesClient client() {
        KubernetesClient c = client;
        if (c == null) {
            synchronized (this) {
                c = client;
                if (c == null) {
                    Config config = context == null || context.isBlank()
                            ? Config.autoConfigure(null)
                            : Config.autoConfigure(context);
                    config.setRequestTimeout(30_000);
                    config.setConnectionTimeout(5_000);
                    c = new KubernetesClientBuilder().withConfig(config).build();
                    client = c;
                }
            }
        }
        return c;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public Availability probe() {
        Availability a = probed;
        if (a == null && !configured) {
            a = Availability.unavailable("no Kubernetes cluster is configured (no kubeconfig at $KUBECONFIG or"
                    + " ~/.kube/config, and not in a cluster); docs/kubernetes.md says how to set one up");
            probed = a;
        }
        if (a == null) {
            a = ClusterProbe.probe(() -> client(), new Settings(Map.of(), System.getenv()), Duration.ofSeconds(3));
            probed = a;
        }
        return a;
    }

    static String namespace(Settings s) {
        return s.get(KubernetesSettings.NAMESPACE, KubernetesSettings.DEFAULT_NAMESPACE);
    }

    @Override
    public BottlePlan prepare(PrepareRequest request) {
        Settings s = request.settings();
        String id = request.identity();
        String agentImage = required(s, KubernetesSettings.IMAGE, "the agent image");
        String bundleImage = required(s, KubernetesSettings.BUNDLE_IMAGE, "the sidecar bundle image");
        if (Files.isRegularFile(request.state().dockerfile())) {
            throw new BottleException("bottle " + id + " has an approved per-bottle Dockerfile ("
                    + request.state().dockerfile() + "), but a cluster cannot build images: build it, push it to a"
                    + " registry the nodes pull from, and set " + KubernetesSettings.IMAGE + " to it");
        }
        if (request.spec().copyCwd()) {
            throw new BottleException("copyCwd is not supported by the kubernetes backend, which has no local"
                    + " image build; launch without it and use RunningBottle.copyTo to put the files into /workspace");
        }
        if (request.bottle().supervise()) {
            throw new BottleException("bottle '" + request.bottle().name() + "' turns supervise on, which the"
                    + " kubernetes backend does not run yet (its proposal queue is a host directory); set"
                    + " supervise: false or use the docker backend");
        }
        SidecarPlans sidecars = SidecarPlans.prepare(request, "");
        SidecarBundle daemons = new BundleImage(bundleImage, null).effective(sidecars.bundle());
        List<BundleLaunchSpec.EnvEntry> env = BundleLaunchSpec.environment(sidecars, daemons, "0.0.0.0");
        Map<String, String> values = sidecars.bundleValues(request.hostEnvironment(), request.env());
        for (BundleLaunchSpec.EnvEntry e : env) {
            if (e.isBare() && !values.containsKey(e.name())) {
                throw new BottleException("host variable " + e.name() + " is not set, but the bundle of bottle " + id
                        + " needs it; export it and launch again");
            }
        }
        Path prompt = request.state().agentDir().resolve("prompt.txt");
        SecureFiles.writePrivate(prompt, request.agent().prompt());
        Map<String, Path> skills = new LinkedHashMap<>();
        for (String skill : request.agent().skills()) {
            skills.put(skill, s.skillsDir().resolve(skill));
        }
        long uid = number(s, KubernetesSettings.AGENT_UID, 1000);
        if (uid == 0) {
            throw new BottleException(KubernetesSettings.AGENT_UID + "=0: the agent never runs as root; use the"
                    + " uid of the image's user, such as 1000");
        }
        Set<Integer> ports = new LinkedHashSet<>(DEFAULT_UPSTREAM_PORTS);
        for (GitRemote r : request.bottle().git()) {
            ports.add(r.upstream().port());
        }
        for (String p : s.get(KubernetesSettings.UPSTREAM_PORTS, "").split(",")) {
            if (!p.isBlank()) {
                ports.add((int) parse(KubernetesSettings.UPSTREAM_PORTS, p.strip(), 1, 65535));
            }
        }
        return new KubernetesBottlePlan(
                id,
                request.agent().name(),
                request.state().path(),
                namespace(s),
                new KubernetesBottlePlan.Images(
                        agentImage,
                        bundleImage,
                        s.get(KubernetesSettings.RUNTIME_CLASS)
                                .filter(v -> !v.isBlank())
                                .orElse(null)),
                new KubernetesBottlePlan.Agent(
                        uid,
                        s.get(KubernetesSettings.AGENT_HOME, "/home/node"),
                        s.get(KubernetesSettings.AGENT_MEMORY, "4Gi"),
                        prompt,
                        skills),
                new KubernetesBottlePlan.Bundle(
                        sidecars, daemons.daemonsCsv(), env, BundleLaunchSpec.mounts(sidecars, daemons), values),
                new KubernetesBottlePlan.Placement(
                        Duration.ofSeconds(number(s, KubernetesSettings.ACTIVE_DEADLINE, 86_400)),
                        Duration.ofSeconds(number(s, KubernetesSettings.READY_TIMEOUT, 300)),
                        selector(s.get(KubernetesSettings.NODE_SELECTOR, "")),
                        List.copyOf(ports)),
                request.env(),
                request.spec().detached());
    }

    private static String required(Settings s, String name, String what) {
        return s.get(name)
                .filter(v -> !v.isBlank())
                .orElseThrow(() -> new BottleException("the kubernetes backend needs " + name + ", " + what
                        + " the cluster's nodes pull (there is no local build on a cluster); publish it with"
                        + " a registry the nodes reach (docs/kubernetes.md, 'Images') and set " + name));
    }

    private static long number(Settings s, String name, long fallback) {
        return s.get(name).map(v -> parse(name, v.strip(), 1, Long.MAX_VALUE)).orElse(fallback);
    }

    private static long parse(String name, String v, long min, long max) {
        try {
            long n = Long.parseLong(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the error
        }
        throw new BottleException(name + "=" + v + " is not a number from " + min + " to " + max);
    }

    static Map<String, String> selector(String csv) {
        Map<String, String> out = new TreeMap<>();
        for (String kv : csv.split(",")) {
            if (kv.isBlank()) {
                continue;
            }
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new BottleException(KubernetesSettings.NODE_SELECTOR + " entry '" + kv + "' is not key=value");
            }
            out.put(kv.substring(0, eq).strip(), kv.substring(eq + 1).strip());
        }
        return out;
    }

    @Override
    public BackendBottle launch(BottlePlan plan, BottleEvents events) {
        return new KubeLaunch(client(), own(plan), events).run();
    }

    private static KubernetesBottlePlan own(BottlePlan plan) {
        if (!(plan instanceof KubernetesBottlePlan p)) {
            throw new IllegalArgumentException("the kubernetes backend launches only its own plans, not "
                    + plan.getClass().getName());
        }
        return p;
    }

    private static String namespace() {
        return namespace(new Settings(Map.of(), System.getenv()));
    }

    private List<ConfigMap> anchors(String namespace) {
        return client().configMaps()
                .inNamespace(namespace)
                .withLabels(Map.of(Names.BACKEND, ID, Names.ROLE, Names.ANCHOR))
                .list()
                .getItems();
    }

    private Map<String, Pod> agents(String namespace) {
        Map<String, Pod> out = new HashMap<>();
        for (Pod p : client().pods()
                .inNamespace(namespace)
                .withLabels(Map.of(Names.BACKEND, ID, Names.ROLE, Names.AGENT))
                .list()
                .getItems()) {
            out.put(p.getMetadata().getLabels().getOrDefault(Names.IDENTITY, ""), p);
        }
        return out;
    }

    @Override
    public List<BottleSummary> list() {
        String ns = namespace();
        Map<String, Pod> agents = agents(ns);
        List<BottleSummary> out = new ArrayList<>();
        for (ConfigMap a : anchors(ns)) {
            Map<String, String> labels = a.getMetadata().getLabels();
            Map<String, String> notes = annotations(a);
            String id = labels.getOrDefault(Names.IDENTITY, a.getMetadata().getName());
            Pod agent = agents.get(id);
            String services = notes.getOrDefault(Names.SERVICES, "");
            out.add(new BottleSummary(
                    id,
                    ID,
                    labels.get(Names.AGENT_NAME),
                    services.isEmpty() ? List.of() : List.of(services.split(",")),
                    agent == null || agent.getStatus() == null
                            ? "no agent pod"
                            : String.valueOf(agent.getStatus().getPhase()).toLowerCase(java.util.Locale.ROOT),
                    Owner.parse(notes.getOrDefault(Names.OWNER, "")).orElse(null)));
        }
        return out;
    }

    private static Map<String, String> annotations(HasMetadata o) {
        Map<String, String> a = o.getMetadata().getAnnotations();
        return a == null ? Map.of() : a;
    }

    @Override
    public Optional<FoundBottle> find(String identity, Map<String, String> forwarded) {
        String ns = namespace();
        Pod agent = client().pods()
                .inNamespace(ns)
                .withName(Names.agentPod(identity))
                .get();
        if (agent == null || !ID.equals(agent.getMetadata().getLabels().get(Names.BACKEND))) {
            return Optional.empty();
        }
        return Optional.of(new FoundKubeBottle(client(), ns, identity, forwarded));
    }

    @Override
    public CleanupReport cleanup(CleanupRequest request) {
        String ns = namespace();
        Map<String, Pod> agents = agents(ns);
        // every labelled object, grouped by bottle: an anchor's labels and annotations judge its bottle,
        // and objects whose anchor is gone (a launch that crashed before the collector ran) are orphans
        Map<String, Map<String, String>> judged = new LinkedHashMap<>();
        for (ConfigMap a : anchors(ns)) {
            Map<String, String> labels = new HashMap<>(a.getMetadata().getLabels());
            labels.putAll(annotations(a));
            judged.put(labels.getOrDefault(Names.IDENTITY, ""), labels);
        }
        Map<String, String> mine = Map.of(Names.BACKEND, ID);
        List<HasMetadata> all = new ArrayList<>();
        all.addAll(client().pods().inNamespace(ns).withLabels(mine).list().getItems());
        all.addAll(client().network()
                .networkPolicies()
                .inNamespace(ns)
                .withLabels(mine)
                .list()
                .getItems());
        all.addAll(client().secrets().inNamespace(ns).withLabels(mine).list().getItems());
        all.addAll(client().configMaps().inNamespace(ns).withLabels(mine).list().getItems());
        for (HasMetadata o : all) {
            String id = o.getMetadata().getLabels().getOrDefault(Names.IDENTITY, "");
            if (!judged.containsKey(id)) {
                Map<String, String> labels = new HashMap<>(o.getMetadata().getLabels());
                labels.putAll(annotations(o));
                judged.put(id, labels);
            }
        }
        List<String> removed = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        judged.forEach((id, labels) -> {
            if (id.isEmpty()) {
                return;
            }
            Pod agent = agents.get(id);
            boolean running = agent != null
                    && agent.getStatus() != null
                    && "Running".equals(agent.getStatus().getPhase());
            if (request.keeps(id, labels, running)) {
                return;
            }
            String what = "bottle " + id + " in " + ns + " (" + request.reason(id, labels) + ")";
            if (request.dryRun()) {
                removed.add(what);
                return;
            }
            try {
                List<String> left = Teardown.remove(client(), ns, id);
                if (left.isEmpty()) {
                    removed.add(what);
                } else {
                    failed.add(what + ": " + String.join("; ", left));
                }
            } catch (KubernetesClientException e) {
                failed.add(what + ": " + e.getMessage());
            }
        });
        return new CleanupReport(removed, failed);
    }
}
