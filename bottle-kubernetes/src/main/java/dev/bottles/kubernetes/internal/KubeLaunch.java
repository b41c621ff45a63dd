package dev.bottles.kubernetes.internal;

import dev.bottles.BottleException;
import dev.bottles.BottleLaunchException;
import dev.bottles.Phase;
import dev.bottles.kubernetes.KubernetesBottlePlan;
import dev.bottles.sidecars.AgentEnvironment;
import dev.bottles.sidecars.AgentFiles;
import dev.bottles.sidecars.Endpoints;
import dev.bottles.sidecars.SidecarPlans;
import dev.bottles.spi.BackendBottle;
import dev.bottles.spi.BottleEvents;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * Brings one bottle up on a cluster as a graph of steps: the anchor; then at once the Secret and both
 * NetworkPolicies (the fences exist before anything they fence); then both pods at once; the wait for
 * both to be ready; last the agent's environment, CA and files, written in over exec once the bundle's
 * address is known. Each created object pushes its removal; on any failure removals run newest first
 * and a {@link BottleLaunchException} names the step.
 */
public final class KubeLaunch {
    private static final System.Logger LOG = System.getLogger(KubeLaunch.class.getName());
    /** The threads launches and teardowns share. */
    static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "bottle-kubernetes");
        t.setDaemon(true);
        return t;
    });
    /** Container states that will not become ready by waiting. */
    static final Set<String> HOPELESS = Set.of(
            "ErrImagePull",
            "ImagePullBackOff",
            "InvalidImageName",
            "ErrImageNeverPull",
            "CreateContainerConfigError",
            "CreateContainerError",
            "RunContainerError",
            "CrashLoopBackOff");
    /** Where the agent's copy of the egress CA goes. */
    public static final String CA_FILE = BottleObjects.RUN_DIR + "/egress-ca.pem";
    /** The agent's trust bundle: the image's CAs and the egress CA. */
    public static final String CA_BUNDLE = BottleObjects.RUN_DIR + "/ca-bundle.pem";

    private final KubernetesClient client;
    private final KubernetesBottlePlan plan;
    private final BottleEvents events;
    private final Deque<Undo> undo = new ArrayDeque<>();

    private record Undo(String what, Runnable action) {}

    private static final class StepFailure extends BottleException {
        private static final long serialVersionUID = 1L;
        final String step;

        StepFailure(String step, RuntimeException cause) {
            super(String.valueOf(cause.getMessage()), cause);
            this.step = step;
        }
    }

    /**
     * Prepares a launch.
     *
     * @param client the client
     * @param plan the plan
     * @param events where steps are reported
     */
    public KubeLaunch(KubernetesClient client, KubernetesBottlePlan plan, BottleEvents events) {
        this.client = client;
        this.plan = plan;
        this.events = events;
    }

    /**
     * Runs the launch.
     *
     * @return the running bottle
     * @throws BottleLaunchException naming the failed step, after removing what was created
     */
    public BackendBottle run() {
        BottleObjects objects = new BottleObjects(plan, plan.ownerLabel());
        String ns = plan.namespace();
        try {
            ConfigMap anchor = step(
                    "create-anchor",
                    () -> created(
                            "anchor",
                            client.configMaps()
                                    .inNamespace(ns)
                                    .resource(objects.anchor(Instant.now()))
                                    .create(),
                            () -> client.configMaps()
                                    .inNamespace(ns)
                                    .withName(Names.anchor(plan.identity()))
                                    .delete()));
            String uid = anchor.getMetadata().getUid();
            all(
                    async(
                            "create-secret",
                            () -> created(
                                    "secret",
                                    client.secrets()
                                            .inNamespace(ns)
                                            .resource(objects.secret(uid))
                                            .create(),
                                    () -> client.secrets()
                                            .inNamespace(ns)
                                            .withName(Names.anchor(plan.identity()))
                                            .delete())),
                    async(
                            "create-agent-policy",
                            () -> created(
                                    "agent policy",
                                    client.network()
                                            .networkPolicies()
                                            .inNamespace(ns)
                                            .resource(objects.agentPolicy(uid))
                                            .create(),
                                    () -> client.network()
                                            .networkPolicies()
                                            .inNamespace(ns)
                                            .withName(Names.policy(plan.identity(), Names.AGENT))
                                            .delete())),
                    async(
                            "create-bundle-policy",
                            () -> created(
                                    "bundle policy",
                                    client.network()
                                            .networkPolicies()
                                            .inNamespace(ns)
                                            .resource(objects.bundlePolicy(uid))
                                            .create(),
                                    () -> client.network()
                                            .networkPolicies()
                                            .inNamespace(ns)
                                            .withName(Names.policy(plan.identity(), Names.BUNDLE))
                                            .delete())));
            CompletableFuture<Pod> bundle = async(
                            "create-bundle",
                            () -> created(
                                    "bundle pod",
                                    client.pods()
                                            .inNamespace(ns)
                                            .resource(objects.bundlePod(uid))
                                            .create(),
                                    () -> deletePod(Names.bundlePod(plan.identity()))))
                    .thenApplyAsync(
                            p -> step("await-bundle", () -> ready(Names.bundlePod(plan.identity()), true)), POOL);
            CompletableFuture<Pod> agent = async(
                            "create-agent",
                            () -> created(
                                    "agent pod",
                                    client.pods()
                                            .inNamespace(ns)
                                            .resource(objects.agentPod(uid))
                                            .create(),
                                    () -> deletePod(Names.agentPod(plan.identity()))))
                    .thenApplyAsync(
                            p -> step("await-agent", () -> ready(Names.agentPod(plan.identity()), false)), POOL);
            all(bundle, agent);
            String bundleIp = bundle.join().getStatus().getPodIP();
            if (bundleIp == null || bundleIp.isBlank()) {
                throw new StepFailure(
                        "await-bundle", new BottleException("the bundle pod is ready but has no address"));
            }
            KubeBottle running = new KubeBottle(client, plan);
            step("provision-agent", () -> {
                provision(running, bundleIp);
                return true;
            });
            return running;
        } catch (StepFailure f) {
            rollback();
            throw new BottleLaunchException(
                    plan.identity(),
                    f.step,
                    "launch of bottle " + plan.identity() + " failed at " + f.step + ": " + f.getMessage(),
                    f.getCause());
        } catch (RuntimeException e) {
            rollback();
            throw new BottleLaunchException(
                    plan.identity(), "launch", "launch of bottle " + plan.identity() + " failed: " + e.getMessage(), e);
        }
    }

    private void deletePod(String name) {
        client.pods()
                .inNamespace(plan.namespace())
                .withName(name)
                .withGracePeriod(0)
                .delete();
    }

    private <T extends HasMetadata> T created(String what, T object, Runnable removal) {
        synchronized (undo) {
            undo.push(new Undo(what, removal));
        }
        return object;
    }

    private <T> T step(String name, Supplier<T> work) {
        try {
            return events.time(Phase.LAUNCH, name, work);
        } catch (StepFailure f) {
            throw f;
        } catch (RuntimeException e) {
            throw new StepFailure(name, e);
        }
    }

    private <T> CompletableFuture<T> async(String name, Supplier<T> work) {
        return CompletableFuture.supplyAsync(() -> step(name, work), POOL);
    }

    /** Waits for every branch, then rethrows the first failure: no branch is left creating after a rollback. */
    private static void all(CompletableFuture<?>... branches) {
        StepFailure first = null;
        for (CompletableFuture<?> b : branches) {
            try {
                b.join();
            } catch (CompletionException e) {
                if (first == null) {
                    first = e.getCause() instanceof StepFailure f
                            ? f
                            : new StepFailure(
                                    "launch",
                                    e.getCause() instanceof RuntimeException r
                                            ? r
                                            : new BottleException(String.valueOf(e.getCause())));
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private Pod ready(String pod, boolean bundle) {
        long timeout = plan.placement().readyTimeout().toMillis();
        Pod p;
        try {
            p = client.pods()
                    .inNamespace(plan.namespace())
                    .withName(pod)
                    .waitUntilCondition(
                            x -> x == null || isReady(x) || hopeless(x) != null, timeout, TimeUnit.MILLISECONDS);
        } catch (KubernetesClientException e) {
            throw new BottleException("pod " + pod + " was not ready within " + timeout / 1000 + " s" + why(bundle), e);
        }
        if (p == null) {
            throw new BottleException("pod " + pod + " was deleted while the bottle launched");
        }
        String hopeless = hopeless(p);
        if (hopeless != null) {
            throw new BottleException("pod " + pod + " cannot start: " + hopeless
                    + (hopeless.contains("Image")
                            ? " (is the image published where the nodes can pull it? see"
                                    + " docs/kubernetes.md, 'Images')"
                            : "")
                    + why(bundle));
        }
        return p;
    }

    private String why(boolean bundle) {
        if (!bundle) {
            return "";
        }
        String log = BundleLog.tail(client, plan, 20);
        return log.isBlank() ? "" : "; the bundle's log:\n" + log;
    }

    static boolean isReady(Pod p) {
        if (p.getStatus() == null || !"Running".equals(p.getStatus().getPhase())) {
            return false;
        }
        return p.getStatus().getConditions() != null
                && p.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    static @Nullable String hopeless(Pod p) {
        if (p.getStatus() == null) {
            return null;
        }
        String phase = p.getStatus().getPhase();
        if ("Failed".equals(phase) || "Succeeded".equals(phase)) {
            return "it ended (" + phase
                    + (p.getStatus().getReason() != null ? ", " + p.getStatus().getReason() : "") + ")";
        }
        List<ContainerStatus> cs = p.getStatus().getContainerStatuses();
        if (cs != null) {
            for (ContainerStatus c : cs) {
                if (c.getState() != null && c.getState().getWaiting() != null) {
                    String reason = c.getState().getWaiting().getReason();
                    if (reason != null && HOPELESS.contains(reason)) {
                        String msg = c.getState().getWaiting().getMessage();
                        return c.getName() + " " + reason + (msg != null ? ": " + msg : "");
                    }
                }
                if (c.getState() != null && c.getState().getTerminated() != null) {
                    return c.getName() + " exited "
                            + c.getState().getTerminated().getExitCode();
                }
            }
        }
        return null;
    }

    /**
     * Returns the agent's environment for a bundle at an address: the docker backend's, with the CA
     * variables pointing at the pod's memory-backed copies (exec cannot run as root to change the
     * image's trust store).
     *
     * @param plan the plan
     * @param bundleIp the bundle pod's address
     * @return the variables
     */
    public static Map<String, String> agentEnv(KubernetesBottlePlan plan, String bundleIp) {
        SidecarPlans sidecars = plan.bundle().sidecars();
        Map<String, String> env = new LinkedHashMap<>(
                AgentEnvironment.compose(sidecars, Endpoints.inBundle(bundleIp, sidecars.bundle()), plan.env()));
        env.put("NODE_EXTRA_CA_CERTS", CA_FILE);
        env.put("SSL_CERT_FILE", CA_BUNDLE);
        env.put("REQUESTS_CA_BUNDLE", CA_BUNDLE);
        env.put("CURL_CA_BUNDLE", CA_BUNDLE);
        env.put("GIT_SSL_CAINFO", CA_BUNDLE);
        return env;
    }

    private void provision(KubeBottle bottle, String bundleIp) {
        SidecarPlans sidecars = plan.bundle().sidecars();
        byte[] env = AgentShell.lines(agentEnv(plan, bundleIp), false);
        byte[] ca;
        try {
            ca = Files.readAllBytes(sidecars.egress().caCertificate());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] both = new byte[env.length + ca.length];
        System.arraycopy(env, 0, both, 0, env.length);
        System.arraycopy(ca, 0, both, env.length, ca.length);
        new PodExec(client, plan.namespace(), Names.agentPod(plan.identity()), Names.AGENT_CONTAINER)
                .check(
                        List.of(
                                "/bin/sh",
                                "-c",
                                "umask 077; head -c \"$1\" > " + AgentShell.ENV_FILE + " && head -c \"$2\" > "
                                        + CA_FILE + " && { cat /etc/ssl/certs/ca-certificates.crt " + CA_FILE
                                        + " > " + CA_BUNDLE + " 2>/dev/null || cp " + CA_FILE + " " + CA_BUNDLE
                                        + "; } && chmod 644 " + CA_FILE + " " + CA_BUNDLE,
                                "bottle-provision",
                                Integer.toString(env.length),
                                Integer.toString(ca.length)),
                        both,
                        Duration.ofSeconds(60));
        List<AgentFiles.AgentFile> files = new ArrayList<>();
        for (AgentFiles.AgentFile f : AgentFiles.of(
                sidecars,
                Endpoints.inBundle(bundleIp, sidecars.bundle()),
                plan.agent().prompt(),
                plan.agent().skills(),
                plan.agent().home())) {
            // the image's trust store is root's; the agent trusts the CA through CA_BUNDLE instead
            if (!f.path().equals(AgentEnvironment.CA_CERT_PATH.substring(1))) {
                files.add(f);
            }
        }
        bottle.copyTo(new ByteArrayInputStream(tar(files)), "/");
    }

    static byte[] tar(List<AgentFiles.AgentFile> files) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (AgentFiles.AgentFile f : files) {
                TarArchiveEntry e = new TarArchiveEntry(f.path());
                byte[] content = f.content();
                e.setSize(content.length);
                e.setMode(f.mode());
                t.putArchiveEntry(e);
                t.write(content);
                t.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private void rollback() {
        List<Undo> steps;
        synchronized (undo) {
            steps = new ArrayList<>(undo);
            undo.clear();
        }
        for (Undo u : steps) {
            try {
                u.action().run();
            } catch (RuntimeException e) {
                LOG.log(
                        Level.WARNING,
                        "rollback of " + plan.identity() + " could not remove its " + u.what() + ": " + e.getMessage());
            }
        }
        // anything a branch created after its removal was pushed: remove by label as well
        List<String> left = Teardown.remove(client, plan.namespace(), plan.identity());
        if (!left.isEmpty()) {
            LOG.log(Level.WARNING, "rollback of " + plan.identity() + " left " + left);
        }
    }
}
