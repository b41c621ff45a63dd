package dev.bottles.docker.internal;

import dev.bottles.BottleException;
import dev.bottles.BottleLaunchException;
import dev.bottles.Phase;
import dev.bottles.docker.DockerBottlePlan;
import dev.bottles.dockerengine.BundleImages;
import dev.bottles.dockerengine.BundleLifecycle;
import dev.bottles.dockerengine.ContainerSpec;
import dev.bottles.dockerengine.DockerEngine;
import dev.bottles.dockerengine.Labels;
import dev.bottles.dockerengine.Limits;
import dev.bottles.sidecars.AgentEnvironment;
import dev.bottles.sidecars.BundleLaunchSpec;
import dev.bottles.sidecars.Endpoints;
import dev.bottles.spi.BackendBottle;
import dev.bottles.spi.BottleEvents;
import dev.bottles.spi.Settings;
import dev.bottles.spi.Subnet;
import dev.bottles.state.SecureFiles;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

/**
 * Brings one bottle up as a graph of steps: images; both networks at once; as soon as the internal
 * network exists, the agent is created, given its files and started while the bundle is created,
 * then joined to the outbound network and started; last the agent trusts the egress CA. Each
 * created resource pushes its removal; on any failure every branch is waited for, removals run
 * newest first, and a {@link BottleLaunchException} names the step.
 */
public final class DockerLaunch {
    private static final System.Logger LOG = System.getLogger(DockerLaunch.class.getName());
    static final ExecutorService POOL = DockerEngine.WORKERS;

    private final DockerEngine engine;
    private final DockerBottlePlan plan;
    private final BottleEvents events;
    private final boolean warm;
    private final Deque<Undo> undo = new ArrayDeque<>();

    /** A removal; containers go before networks, whatever order the parallel branches pushed them in. */
    private record Undo(String what, Runnable action, boolean network) {}

    /**
     * Prepares a launch.
     *
     * @param engine the engine
     * @param plan the plan
     * @param events where steps are reported
     */
    public DockerLaunch(DockerEngine engine, DockerBottlePlan plan, BottleEvents events) {
        this(engine, plan, events, false);
    }

    /**
     * Prepares a launch, of a bottle or of a warm pool member: a member's agent gets no environment
     * and no files but the egress CA it trusts, and its bundle no secret; the bundle waits for a
     * claim ({@link DockerWarmClaim}) instead of starting its daemons.
     *
     * @param engine the engine
     * @param plan the plan
     * @param events where steps are reported
     * @param warm whether this is a warm pool member
     */
    public DockerLaunch(DockerEngine engine, DockerBottlePlan plan, BottleEvents events, boolean warm) {
        this.engine = engine;
        this.plan = plan;
        this.events = events;
        this.warm = warm;
    }

    private final class StepFailure extends BottleException {
        private static final long serialVersionUID = 1L;
        final String step;

        StepFailure(String step, RuntimeException cause) {
            super(String.valueOf(cause.getMessage()), cause);
            this.step = step;
        }
    }

    /**
     * Runs the launch.
     *
     * @return the running bottle
     * @throws BottleLaunchException naming the failed step, after removing what was created
     */
    public BackendBottle run() {
        try {
            CompletableFuture<Boolean> bundleImage = async(
                    "bundle-image",
                    () -> BundleImages.ensure(
                            engine,
                            plan.bundle().image(),
                            new Settings(plan.bundle().build(), Map.of()),
                            line -> events.progress("bundle-image", line)));
            // The agent's images (the SDK's, then a rebuilt or cwd-derived one on it) build while the
            // networks are made; only the agent's creation waits for them.
            CompletableFuture<Boolean> agentImage = async(
                            "agent-image",
                            () -> plan.sdkAgentImage()
                                    && AgentImages.ensure(
                                            engine,
                                            plan.images().base(),
                                            plan.bundle().build(),
                                            line -> events.progress("agent-image", line)))
                    .thenApplyAsync(
                            built -> {
                                buildImages();
                                return built;
                            },
                            POOL);
            CompletableFuture<Subnet> internal = async(
                    "create-network",
                    () -> network(plan.networks().internal(), plan.networks().subnets(), true));
            CompletableFuture<Subnet> outbound = async(
                    "create-egress-network",
                    () -> network(plan.networks().egress(), plan.networks().egressSubnets(), false));
            // The agent and the bundle need only the internal network to be created; the bundle also
            // needs the outbound one before it starts. Files go into the agent before it starts.
            CompletableFuture<String> agent = internal.thenCombineAsync(
                            agentImage,
                            (s, built) -> step("create-agent", () -> {
                                String id = createAgent(warm ? Map.of() : agentEnv(s), s);
                                if (warm) {
                                    Provisioner.copyCa(engine, id, plan);
                                } else {
                                    Provisioner.copyFiles(engine, id, plan, s.bundleIp());
                                }
                                return id;
                            }),
                            POOL)
                    .thenApplyAsync(
                            id -> step("start-agent", () -> {
                                engine.start(id);
                                return id;
                            }),
                            POOL)
                    .thenApplyAsync(
                            id -> step("provision", () -> {
                                Provisioner.checkContract(engine, id, plan);
                                Provisioner.trustCa(engine, id);
                                return id;
                            }),
                            POOL);
            CompletableFuture<String> bundle = internal.thenCombineAsync(
                            bundleImage, (s, built) -> step("create-bundle", () -> createBundle(s)), POOL)
                    .thenCombineAsync(
                            outbound,
                            (id, o) -> step(
                                    "start-bundle",
                                    () -> BundleLifecycle.connectAndStart(
                                            engine, id, List.of(plan.networks().egress()))),
                            POOL)
                    .thenApplyAsync(
                            id -> step(
                                    "bundle-ready",
                                    () -> warm
                                            ? BundleLifecycle.awaitWarm(engine, id, plan.bundleReadyTimeout())
                                            : BundleLifecycle.awaitReady(engine, id, plan.bundleReadyTimeout())),
                            POOL);
            settle(List.of(bundleImage, agentImage, internal, outbound, agent, bundle));
            return new DockerBottle(engine, plan, agent.join(), internal.join(), List.of());
        } catch (StepFailure f) {
            rollback();
            throw new BottleLaunchException(plan.identity(), f.step, String.valueOf(f.getMessage()), f.getCause());
        }
    }

    private Map<String, String> agentEnv(Subnet subnet) {
        if (subnet.equals(plan.networks().subnets().get(0))) {
            return plan.agent().environment();
        }
        Map<String, String> env = AgentEnvironment.compose(
                plan.bundle().sidecars(),
                Endpoints.inBundle(subnet.bundleIp(), plan.bundle().sidecars().bundle()),
                plan.env());
        SecureFiles.writePrivate(plan.stateDir().resolve("agent").resolve("agent.env"), AgentEnvironment.envFile(env));
        return env;
    }

    private void buildImages() {
        Path rebuilt = plan.images().rebuiltDockerfile();
        if (rebuilt != null) {
            // The Dockerfile came from the agent (approved by the operator): build it with an empty context,
            // never the state dir, which holds the bottle's keys a COPY could take into the image.
            step(
                    "build-image",
                    () -> RebuiltImage.build(
                            engine,
                            rebuilt,
                            plan.images().base(),
                            Labels.of(plan.identity(), plan.backendId(), "image"),
                            line -> events.progress("build-image", line)));
        }
        Path cwd = plan.images().derivedFrom();
        if (cwd != null) {
            step(
                    "build-cwd-image",
                    () -> DerivedImage.build(engine, plan, cwd, line -> events.progress("build-cwd-image", line)));
        }
    }

    private Subnet network(String name, List<Subnet> candidates, boolean internal) {
        BottleException last = null;
        for (Subnet s : candidates) {
            try {
                engine.createNetwork(
                        name, s, internal, Labels.of(plan.identity(), plan.backendId(), "network", plan.ownerLabel()));
                push("network " + name, () -> engine.removeNetwork(name), true);
                return s;
            } catch (DockerEngine.PoolOverlapException e) {
                last = e;
            }
        }
        throw new BottleException(
                "every candidate subnet for " + name + " overlaps another network (tried "
                        + candidates.size() + ", from " + candidates.get(0)
                        + "); remove stale networks with Bottles.cleanup(...)"
                        + " or move the range with "
                        + (internal
                                ? Settings.class.getSimpleName() + " BOTTLE_SUBNET_BASE"
                                : "BOTTLE_EGRESS_SUBNET_BASE"),
                last);
    }

    /**
     * Returns the bundle container's spec for a plan on a subnet: what a cold launch creates, and
     * what a warm claim hands the member's bundle.
     *
     * @param plan the plan
     * @param subnet the internal network's subnet
     * @return the spec
     */
    static BundleLaunchSpec bundleSpec(DockerBottlePlan plan, Subnet subnet) {
        return BundleLaunchSpec.of(
                plan.bundle().sidecars(),
                plan.backendId(),
                plan.networks().internal(),
                subnet,
                false,
                plan.bundle().image());
    }

    private String createBundle(Subnet subnet) {
        BundleLaunchSpec spec = bundleSpec(plan, subnet).withLabel(Labels.OWNER, plan.ownerLabel());
        if (warm) {
            spec = spec.awaitingClaim();
        }
        String id = BundleLifecycle.create(
                engine, spec, plan.bundle().routeTokens(), plan.bundle().build());
        push("container " + spec.containerName(), () -> engine.removeContainer(id), false);
        return id;
    }

    private String createAgent(Map<String, String> agentEnv, Subnet subnet) {
        List<String> env = agentEnv.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .toList();
        Map<String, String> labels = Labels.of(plan.identity(), plan.backendId(), Labels.AGENT, plan.ownerLabel());
        labels.put(Labels.AGENT_NAME, plan.agentName());
        if (warm) {
            labels.put(Labels.WARM, "true");
        }
        labels.put(Labels.SERVICES, plan.bundle().sidecars().bundle().daemonsCsv());
        Limits limits = Limits.from(plan.bundle().build());
        String id = engine.createContainer(ContainerSpec.builder(
                        plan.agent().container(),
                        plan.images().image(),
                        plan.networks().internal())
                .cmd(List.of("sleep", "infinity"))
                .env(env)
                .labels(labels)
                .runtime(plan.runtime().name())
                .hardening(ContainerSpec.Hardening.agent(limits.agentPids(), limits.agentMemory())
                        .as(plan.agent().user()))
                .binds(List.of(NoResolver.write(plan.stateDir()) + ":/etc/resolv.conf:ro"))
                .dns(List.of(subnet.bundleIp()))
                .build());
        push("container " + plan.agent().container(), () -> engine.removeContainer(id), false);
        return id;
    }

    private synchronized void push(String what, Runnable action, boolean network) {
        undo.push(new Undo(what, action, network));
    }

    private void rollback() {
        List<Undo> all;
        synchronized (this) {
            all = new ArrayList<>(undo);
            undo.clear();
        }
        // Newest first within each kind; every container before any network it may be attached to.
        all.sort(Comparator.comparing(Undo::network));
        for (Undo u : all) {
            try {
                u.action().run();
            } catch (RuntimeException e) {
                LOG.log(
                        Level.WARNING,
                        "rollback of bottle " + plan.identity() + " could not remove " + u.what() + ": "
                                + e.getMessage());
            }
        }
    }

    private <T> T step(String name, Supplier<T> work) {
        try {
            return events.time(Phase.LAUNCH, name, work);
        } catch (RuntimeException e) {
            throw new StepFailure(name, e);
        }
    }

    private <T> CompletableFuture<T> async(String name, Supplier<T> work) {
        return CompletableFuture.supplyAsync(() -> step(name, work), POOL);
    }

    /**
     * Waits for every branch to end, so a failure never rolls back while another branch is still
     * creating, then rethrows the first failure in the branches' order.
     */
    private void settle(List<CompletableFuture<?>> branches) {
        CompletableFuture.allOf(branches.toArray(CompletableFuture[]::new))
                .exceptionally(t -> null)
                .join();
        for (CompletableFuture<?> f : branches) {
            try {
                f.join();
            } catch (CompletionException | CancellationException e) {
                Throwable c = e.getCause() == null ? e : e.getCause();
                if (c instanceof StepFailure sf) {
                    throw sf;
                }
                throw new StepFailure(
                        "launch", c instanceof RuntimeException re ? re : new BottleException(c.toString(), c));
            }
        }
    }
}
