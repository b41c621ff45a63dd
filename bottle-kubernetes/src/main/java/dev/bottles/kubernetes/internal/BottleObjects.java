package dev.bottles.kubernetes.internal;

import dev.bottles.BottleException;
import dev.bottles.kubernetes.KubernetesBackend;
import dev.bottles.kubernetes.KubernetesBottlePlan;
import dev.bottles.sidecars.BundleLaunchSpec;
import dev.bottles.sidecars.Daemon;
import dev.bottles.sidecars.SidecarBundle;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.CapabilitiesBuilder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlockBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Builds a bottle's cluster objects from its plan, with no cluster: the anchor ConfigMap every other
 * object is owned by, the Secret that is the only place its credentials live, the two NetworkPolicies
 * that fence its pods, and the two pods. Pure functions, so every security invariant is checked by
 * unit tests ({@code docs/kubernetes.md} lists them).
 */
public final class BottleObjects {
    /** Where the agent pod keeps the SDK's files: its environment and the egress CA (memory-backed). */
    public static final String RUN_DIR = "/run/bottle";
    /** The agent's working directory. */
    public static final String WORKSPACE = "/workspace";
    /** The bundle pod's writable directory for egress's live policy. */
    public static final String LIVE_DIR = "/run/egress";
    /** The writable live policy in the bundle pod ({@code EGRESS_ROUTES}). */
    public static final String LIVE_ROUTES = LIVE_DIR + "/routes.yaml";
    /** The bundle image's user, as the docker backend runs it. */
    public static final long BUNDLE_UID = 65532;
    /** The address the bundle's daemons listen on: every address of its own pod, fenced by policy. */
    public static final String LISTEN_ALL = "0.0.0.0";
    /** The Secret key prefix of a bundle variable. */
    static final String ENV_KEY = "env.";
    /** Address ranges the bundle never dials: private, shared, link-local (cloud metadata) and loopback. */
    public static final List<String> NEVER_DIALLED_V4 =
            List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16", "127.0.0.0/8");
    /** The IPv6 ranges the bundle never dials: unique local, link-local, loopback. */
    public static final List<String> NEVER_DIALLED_V6 = List.of("fc00::/7", "fe80::/10", "::1/128");

    private final KubernetesBottlePlan plan;
    private final String owner;

    /**
     * Builds for one plan.
     *
     * @param plan the plan
     * @param owner the owner annotation's value
     */
    public BottleObjects(KubernetesBottlePlan plan, String owner) {
        this.plan = plan;
        this.owner = owner;
    }

    private String id() {
        return plan.identity();
    }

    /**
     * Returns the labels of one of the bottle's objects.
     *
     * @param role its role
     * @return identity, backend and role (and the agent's name on the anchor)
     */
    public Map<String, String> labels(String role) {
        Map<String, String> l = new LinkedHashMap<>();
        l.put(Names.IDENTITY, id());
        l.put(Names.BACKEND, KubernetesBackend.ID);
        l.put(Names.ROLE, role);
        String agent = Names.labelValue(plan.agentName());
        if (!agent.isEmpty()) {
            l.put(Names.AGENT_NAME, agent);
        }
        return l;
    }

    private ObjectMeta meta(String name, String role, String anchorUid) {
        ObjectMetaBuilder b = new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(plan.namespace())
                .withLabels(labels(role))
                .withAnnotations(
                        Map.of(Names.OWNER, owner, Names.SERVICES, plan.bundle().daemonsCsv()));
        if (!anchorUid.isEmpty()) {
            b.withOwnerReferences(ownerReference(anchorUid));
        }
        return b.build();
    }

    private OwnerReference ownerReference(String anchorUid) {
        return new OwnerReferenceBuilder()
                .withApiVersion("v1")
                .withKind("ConfigMap")
                .withName(Names.anchor(id()))
                .withUid(anchorUid)
                .withController(false)
                .withBlockOwnerDeletion(false)
                .build();
    }

    /**
     * Returns the anchor: a ConfigMap holding the plan's summary (no secret), which every other object
     * names as its owner, so the cluster's garbage collector removes a crashed launch's objects once
     * the anchor goes.
     *
     * @param created when the launch began
     * @return the anchor
     */
    public ConfigMap anchor(Instant created) {
        return new ConfigMapBuilder()
                .withMetadata(meta(Names.anchor(id()), Names.ANCHOR, ""))
                .withData(Map.of("plan.json", plan.toJson(), "created", created.toString()))
                .build();
    }

    /**
     * Returns the Secret: the bundle's files (configs, CA keys, git keys) and its secret variables
     * (route tokens, forwarded values for inspection, the access credential). Mounted into the bundle
     * pod only.
     *
     * @param anchorUid the anchor's uid
     * @return the Secret
     */
    public Secret secret(String anchorUid) {
        Map<String, String> data = new LinkedHashMap<>();
        List<SidecarFile> files = sidecarFiles();
        for (SidecarFile f : files) {
            data.put(f.key(), Base64.getEncoder().encodeToString(read(f.host())));
        }
        plan.bundle()
                .values()
                .forEach((k, v) -> data.put(
                        ENV_KEY + k,
                        Base64.getEncoder().encodeToString(v.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        return new SecretBuilder()
                .withMetadata(meta(Names.anchor(id()), Names.SECRETS, anchorUid))
                .withType("Opaque")
                .withImmutable(true)
                .withData(data)
                .build();
    }

    /**
     * One file the bundle reads, as the Secret holds it.
     *
     * @param mount which sidecar mount it belongs to (index into the plan's mounts)
     * @param key its key in the Secret
     * @param host where the preparers wrote it
     * @param path its path under the mount
     */
    record SidecarFile(int mount, String key, Path host, String path) {}

    List<SidecarFile> sidecarFiles() {
        List<SidecarFile> out = new ArrayList<>();
        List<BundleLaunchSpec.Mount> mounts = plan.bundle().mounts();
        for (int i = 0; i < mounts.size(); i++) {
            Path host = mounts.get(i).host();
            if (Files.isRegularFile(host)) {
                out.add(new SidecarFile(
                        i,
                        "m" + i + "." + keyPart(host.getFileName().toString()),
                        host,
                        host.getFileName().toString()));
                continue;
            }
            if (!Files.isDirectory(host)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(host)) {
                int n = 0;
                for (Path p : walk.filter(f -> Files.isRegularFile(f) && !Files.isSymbolicLink(f))
                        .sorted()
                        .toList()) {
                    String rel = host.relativize(p).toString().replace('\\', '/');
                    out.add(new SidecarFile(i, "m" + i + "." + (n++) + "." + keyPart(rel), p, rel));
                }
            } catch (IOException e) {
                throw new BottleException("cannot read the sidecar files in " + host + " (" + e + ")", e);
            }
        }
        return out;
    }

    private static String keyPart(String s) {
        return s.replaceAll("[^-._a-zA-Z0-9]", "_");
    }

    private static byte[] read(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            throw new BottleException("cannot read " + f + " (" + e + ")", e);
        }
    }

    private LabelSelector select(String role) {
        return new LabelSelectorBuilder()
                .withMatchLabels(Map.of(Names.IDENTITY, id(), Names.ROLE, role))
                .build();
    }

    private List<NetworkPolicyPort> agentFacingPorts() {
        List<NetworkPolicyPort> ports = new ArrayList<>();
        for (Daemon d : new SidecarBundle(daemons()).agentFacing()) {
            ports.add(tcp(d.port()));
        }
        return ports;
    }

    private List<Daemon> daemons() {
        List<Daemon> out = new ArrayList<>();
        for (String n : plan.bundle().daemonsCsv().split(",")) {
            if (!n.isBlank()) {
                out.add(Daemon.named(n));
            }
        }
        return out;
    }

    private static NetworkPolicyPort tcp(int port) {
        return new NetworkPolicyPortBuilder()
                .withProtocol("TCP")
                .withPort(new IntOrString(port))
                .build();
    }

    /**
     * Returns the agent's fence: no ingress at all, and egress only to its own bundle's agent-facing
     * ports (no DNS, no cluster, no internet).
     *
     * @param anchorUid the anchor's uid
     * @return the policy
     */
    public NetworkPolicy agentPolicy(String anchorUid) {
        return new NetworkPolicyBuilder()
                .withMetadata(meta(Names.policy(id(), Names.AGENT), Names.POLICY, anchorUid))
                .withNewSpec()
                .withPodSelector(select(Names.AGENT))
                .withPolicyTypes("Ingress", "Egress")
                .withEgress(new NetworkPolicyEgressRuleBuilder()
                        .withTo(new NetworkPolicyPeerBuilder()
                                .withPodSelector(select(Names.BUNDLE))
                                .build())
                        .withPorts(agentFacingPorts())
                        .build())
                .endSpec()
                .build();
    }

    /**
     * Returns the bundle's fence: ingress only from its own agent on the agent-facing ports; egress to
     * the cluster's DNS and to public addresses on the upstream ports (never to private, link-local or
     * loopback ranges, so not to the cluster, the nodes' metadata service or another bottle).
     *
     * @param anchorUid the anchor's uid
     * @return the policy
     */
    public NetworkPolicy bundlePolicy(String anchorUid) {
        List<NetworkPolicyPort> upstream = new ArrayList<>();
        for (int p : plan.placement().upstreamPorts()) {
            upstream.add(tcp(p));
        }
        NetworkPolicyEgressRule dns = new NetworkPolicyEgressRuleBuilder()
                .withTo(new NetworkPolicyPeerBuilder()
                        .withNamespaceSelector(new LabelSelectorBuilder()
                                .withMatchLabels(Map.of("kubernetes.io/metadata.name", "kube-system"))
                                .build())
                        .withPodSelector(new LabelSelectorBuilder()
                                .withMatchLabels(Map.of("k8s-app", "kube-dns"))
                                .build())
                        .build())
                .withPorts(
                        new NetworkPolicyPortBuilder()
                                .withProtocol("UDP")
                                .withPort(new IntOrString(53))
                                .build(),
                        tcp(53))
                .build();
        NetworkPolicyEgressRule out = new NetworkPolicyEgressRuleBuilder()
                .withTo(
                        new NetworkPolicyPeerBuilder()
                                .withIpBlock(new IPBlockBuilder()
                                        .withCidr("0.0.0.0/0")
                                        .withExcept(NEVER_DIALLED_V4)
                                        .build())
                                .build(),
                        new NetworkPolicyPeerBuilder()
                                .withIpBlock(new IPBlockBuilder()
                                        .withCidr("::/0")
                                        .withExcept(NEVER_DIALLED_V6)
                                        .build())
                                .build())
                .withPorts(upstream)
                .build();
        return new NetworkPolicyBuilder()
                .withMetadata(meta(Names.policy(id(), Names.BUNDLE), Names.POLICY, anchorUid))
                .withNewSpec()
                .withPodSelector(select(Names.BUNDLE))
                .withPolicyTypes("Ingress", "Egress")
                .addNewIngress()
                .addNewFrom()
                .withPodSelector(select(Names.AGENT))
                .endFrom()
                .withPorts(agentFacingPorts())
                .endIngress()
                .withEgress(dns, out)
                .endSpec()
                .build();
    }

    private static SecurityContext containerSecurity(long uid, boolean readOnlyRoot) {
        Capabilities none = new CapabilitiesBuilder().withDrop("ALL").build();
        return new SecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withRunAsUser(uid)
                .withRunAsGroup(uid)
                .withAllowPrivilegeEscalation(false)
                .withPrivileged(false)
                .withCapabilities(none)
                .withReadOnlyRootFilesystem(readOnlyRoot)
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .build();
    }

    private static PodSecurityContext podSecurity(long uid) {
        return new PodSecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withRunAsUser(uid)
                .withRunAsGroup(uid)
                .withFsGroup(uid)
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .build();
    }

    private static Volume emptyDir(String name, boolean memory, String size) {
        return new VolumeBuilder()
                .withName(name)
                .withNewEmptyDir()
                .withMedium(memory ? "Memory" : null)
                .withSizeLimit(new Quantity(size))
                .endEmptyDir()
                .build();
    }

    private static VolumeMount mount(String name, String path, boolean readOnly) {
        return new VolumeMountBuilder()
                .withName(name)
                .withMountPath(path)
                .withReadOnly(readOnly)
                .build();
    }

    /**
     * Returns what both pods share: no service-account token, no service links, no host namespace,
     * never restarted, a deadline as backstop, a non-root user and the runtime's default seccomp.
     *
     * @param uid the user the pod runs as
     * @return the spec, to add containers and volumes to
     */
    private io.fabric8.kubernetes.api.model.PodSpecBuilder lockedDown(long uid) {
        return new io.fabric8.kubernetes.api.model.PodSpecBuilder()
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withRestartPolicy("Never")
                .withTerminationGracePeriodSeconds(1L)
                .withActiveDeadlineSeconds(plan.placement().activeDeadline().toSeconds())
                .withHostNetwork(false)
                .withHostPID(false)
                .withHostIPC(false)
                .withShareProcessNamespace(false)
                .withNodeSelector(plan.placement().nodeSelector())
                .withSecurityContext(podSecurity(uid));
    }

    /**
     * Returns the bundle pod: the bundle image as its non-root user on a read-only root, every
     * capability dropped, its files and secret variables from the bottle's Secret, a writable live
     * policy, ready once egress accepts connections.
     *
     * @param anchorUid the anchor's uid
     * @return the pod
     */
    public Pod bundlePod(String anchorUid) {
        String secret = Names.anchor(id());
        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
        List<SidecarFile> files = sidecarFiles();
        List<BundleLaunchSpec.Mount> sidecarMounts = plan.bundle().mounts();
        for (int i = 0; i < sidecarMounts.size(); i++) {
            BundleLaunchSpec.Mount m = sidecarMounts.get(i);
            int index = i;
            List<KeyToPath> items = files.stream()
                    .filter(f -> f.mount() == index)
                    .map(f -> new KeyToPath(f.key(), 0440, f.path()))
                    .toList();
            if (items.isEmpty()) {
                continue;
            }
            String name = "sidecar-" + i;
            volumes.add(new VolumeBuilder()
                    .withName(name)
                    .withNewSecret()
                    .withSecretName(secret)
                    .withDefaultMode(0440)
                    .withItems(items)
                    .endSecret()
                    .build());
            if (Files.isRegularFile(m.host())) {
                mounts.add(new VolumeMountBuilder()
                        .withName(name)
                        .withMountPath(m.container())
                        .withSubPath(items.get(0).getPath())
                        .withReadOnly(true)
                        .build());
            } else {
                mounts.add(mount(name, m.container(), true));
            }
        }
        volumes.add(emptyDir("tmp", true, "64Mi"));
        mounts.add(mount("tmp", "/tmp", false));
        volumes.add(emptyDir("live", true, "4Mi"));
        mounts.add(mount("live", LIVE_DIR, false));
        if (plan.bundle().daemonsCsv().contains(Daemon.GIT_GATE.wireName())) {
            volumes.add(emptyDir("mirrors", false, "1Gi"));
            mounts.add(mount("mirrors", "/srv/git", false));
        }
        List<EnvVar> env = new ArrayList<>();
        for (BundleLaunchSpec.EnvEntry e : plan.bundle().environment()) {
            if (e.isBare()) {
                env.add(new EnvVarBuilder()
                        .withName(e.name())
                        .withNewValueFrom()
                        .withNewSecretKeyRef()
                        .withName(secret)
                        .withKey(ENV_KEY + e.name())
                        .withOptional(false)
                        .endSecretKeyRef()
                        .endValueFrom()
                        .build());
            } else {
                env.add(new EnvVar(e.name(), e.value(), null));
            }
        }
        env.add(new EnvVar("EGRESS_ROUTES", LIVE_ROUTES, null));
        return new PodBuilder()
                .withMetadata(meta(Names.bundlePod(id()), Names.BUNDLE, anchorUid))
                .withSpec(lockedDown(BUNDLE_UID).build())
                .editSpec()
                .addNewContainer()
                .withName(Names.BUNDLE_CONTAINER)
                .withImage(plan.images().bundle())
                .withImagePullPolicy("IfNotPresent")
                .withEnv(env)
                .withVolumeMounts(mounts)
                .withSecurityContext(containerSecurity(BUNDLE_UID, true))
                .withNewReadinessProbe()
                .withNewTcpSocket()
                .withPort(new IntOrString(Daemon.EGRESS.port()))
                .endTcpSocket()
                .withPeriodSeconds(1)
                .endReadinessProbe()
                .withNewResources()
                .withRequests(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("192Mi")))
                .withLimits(Map.of("memory", new Quantity("384Mi"), "ephemeral-storage", new Quantity("1Gi")))
                .endResources()
                .endContainer()
                .withVolumes(volumes)
                .endSpec()
                .build();
    }

    /**
     * Returns the agent pod: the agent image idling as its non-root user, every capability dropped, no
     * service-account token, no service links, no DNS (its only resolver is a loopback address where
     * nothing answers), a memory-backed {@value #RUN_DIR} for the environment and CA the launch writes
     * in, and an empty {@value #WORKSPACE}.
     *
     * @param anchorUid the anchor's uid
     * @return the pod
     */
    public Pod agentPod(String anchorUid) {
        long uid = plan.agent().uid();
        return new PodBuilder()
                .withMetadata(meta(Names.agentPod(id()), Names.AGENT, anchorUid))
                .withSpec(lockedDown(uid).build())
                .editSpec()
                .withRuntimeClassName(plan.images().runtimeClass())
                .withDnsPolicy("None")
                .withNewDnsConfig()
                .withNameservers("127.0.0.1")
                .endDnsConfig()
                .addNewContainer()
                .withName(Names.AGENT_CONTAINER)
                .withImage(plan.images().agent())
                .withImagePullPolicy("IfNotPresent")
                .withCommand("sleep", "infinity")
                .withWorkingDir(WORKSPACE)
                .withEnv(new EnvVar("HOME", plan.agent().home(), null))
                .withVolumeMounts(mount("run", RUN_DIR, false), mount("workspace", WORKSPACE, false))
                .withSecurityContext(containerSecurity(uid, false))
                .withNewResources()
                .withRequests(Map.of("cpu", new Quantity("250m"), "memory", new Quantity("512Mi")))
                .withLimits(Map.of(
                        "memory", new Quantity(plan.agent().memory()), "ephemeral-storage", new Quantity("10Gi")))
                .endResources()
                .endContainer()
                .withVolumes(emptyDir("run", true, "16Mi"), emptyDir("workspace", false, "10Gi"))
                .endSpec()
                .build();
    }
}
