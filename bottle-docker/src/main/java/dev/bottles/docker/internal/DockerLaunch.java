package dev.bottles.docker.internal;

import dev.bottles.BottleException;
import dev.bottles.BottleLaunchException;
import dev.bottles.Phase;
import dev.bottles.RunningBottle;
import dev.bottles.docker.DockerBottlePlan;
import dev.bottles.sidecars.AgentEnvironment;
import dev.bottles.sidecars.BundleLaunchSpec;
import dev.bottles.sidecars.Endpoints;
import dev.bottles.spi.BottleEvents;
import dev.bottles.spi.Settings;
import dev.bottles.spi.Subnet;
import dev.bottles.state.SecureFiles;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Brings one bottle up: images, then both networks at once, then bundle and agent at once, then
 * provisioning. Each created resource pushes its removal; on any failure they run newest first and
 * a {@link BottleLaunchException} names the step.
 */
public final class DockerLaunch {
    private static final System.Logger LOG = System.getLogger(DockerLaunch.class.getName());
    private static final AtomicInteger THREADS = new AtomicInteger();
    static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "bottles-docker-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    private final DockerEngine engine;
    private final DockerBottlePlan plan;
    private final BottleEvents events;
    private final Deque<Undo> undo = new ArrayDeque<>();

    private record Undo(String what, Runnable action) {}

    /**
     * Prepares a launch.
     *
     * @param engine the engine
     * @param plan the plan
     * @param events where steps are reported
     */
    public DockerLaunch(DockerEngine engine, DockerBottlePlan plan, BottleEvents events) {
        this.engine = engine;
        this.plan = plan;
        this.events = events;
    }

    private final class StepFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String step;

        StepFailure(String step, RuntimeException cause) {
            super(cause.getMessage(), cause);
            this.step = step;
        }
    }

    /**
     * Runs the launch.
     *
     * @return the running bottle
     * @throws BottleLaunchException naming the failed step, after removing what was created
     */
    public RunningBottle run() {
        try {
            buildImages();
            CompletableFuture<Subnet> internal = async("create-network",
                    () -> network(plan.internalNetwork(), plan.subnets(), true));
            CompletableFuture<Subnet> outbound = async("create-egress-network",
                    () -> network(plan.egressNetwork(), plan.egressSubnets(), false));
            Subnet subnet = both(internal, outbound).get(0);

            Map<String, String> agentEnv = plan.agentEnvironment();
            if (!subnet.equals(plan.subnets().get(0))) {
                agentEnv = AgentEnvironment.compose(plan.sidecars(), Endpoints.inBundle(subnet.bundleIp(),
                        plan.sidecars().bundle()), plan.env());
                SecureFiles.writePrivate(plan.stateDir().resolve("agent").resolve("agent.env"),
                        AgentEnvironment.envFile(agentEnv));
            }
            List<String> env = agentEnv.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
            CompletableFuture<String> bundle = async("start-bundle", () -> startBundle(subnet));
            CompletableFuture<String> agent = async("start-agent", () -> startAgent(env));
            List<String> ids = both(bundle, agent);
            step("provision", () -> {
                Provisioner.provision(engine, ids.get(1), plan, subnet.bundleIp());
                return null;
            });
            return new DockerBottle(engine, plan, ids.get(1), subnet);
        } catch (StepFailure f) {
            rollback();
            throw new BottleLaunchException(plan.identity(), f.step, String.valueOf(f.getMessage()), f.getCause());
        }
    }

    private void buildImages() {
        Path rebuilt = plan.rebuiltDockerfile();
        if (rebuilt != null) {
            step("build-image", () -> engine.build(rebuilt.getParent().toFile(), rebuilt.toFile(), plan.baseImage(),
                    Labels.of(plan.identity(), plan.backendId(), "image"), line -> { }));
        }
        Path cwd = plan.derivedFrom();
        if (cwd != null) {
            step("build-cwd-image", () -> DerivedImage.build(engine, plan, cwd));
        }
    }

    private Subnet network(String name, List<Subnet> candidates, boolean internal) {
        BottleException last = null;
        for (Subnet s : candidates) {
            try {
                engine.createNetwork(name, s, internal, Labels.of(plan.identity(), plan.backendId(), "network"));
                push("network " + name, () -> engine.removeNetwork(name));
                return s;
            } catch (DockerEngine.PoolOverlapException e) {
                last = e;
            }
        }
        throw new BottleException("every candidate subnet for " + name + " overlaps another network (tried "
                + candidates.size() + ", from " + candidates.get(0) + "); remove stale networks with Bottles.cleanup(...)"
                + " or move the range with " + (internal ? Settings.class.getSimpleName() + " BOTTLE_SUBNET_BASE"
                : "BOTTLE_EGRESS_SUBNET_BASE"), last);
    }

    private String startBundle(Subnet subnet) {
        BundleLaunchSpec spec = BundleLaunchSpec.of(plan.sidecars(), plan.backendId(), plan.internalNetwork(), subnet,
                false, new Settings(Map.of(BundleLaunchSpec.IMAGE_SETTING, plan.bundleImage()), Map.of()));
        String id = BundleLifecycle.start(engine, spec, plan.routeTokens(), List.of(plan.egressNetwork()));
        push("container " + spec.containerName(), () -> engine.removeContainer(id));
        return id;
    }

    private String startAgent(List<String> env) {
        Map<String, String> labels = Labels.of(plan.identity(), plan.backendId(), Labels.AGENT);
        labels.put(Labels.AGENT_NAME, plan.agentName());
        labels.put(Labels.SERVICES, plan.sidecars().bundle().daemonsCsv());
        String id = engine.createContainer(new ContainerSpec(plan.containerName(), plan.image(),
                List.of("sleep", "infinity"), env, labels, plan.internalNetwork(), null, List.of(), plan.runtime(), true,
                List.of(), List.of(), List.of()));
        push("container " + plan.containerName(), () -> engine.removeContainer(id));
        engine.start(id);
        return id;
    }

    private synchronized void push(String what, Runnable action) {
        undo.push(new Undo(what, action));
    }

    private void rollback() {
        List<Undo> all;
        synchronized (this) {
            all = new ArrayList<>(undo);
            undo.clear();
        }
        for (Undo u : all) {
            try {
                u.action().run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "rollback of bottle " + plan.identity() + " could not remove " + u.what() + ": "
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

    /** Waits for both, so a failure never rolls back while the other is still creating. */
    private static <T> List<T> both(CompletableFuture<T> a, CompletableFuture<T> b) {
        try {
            CompletableFuture.allOf(a, b).exceptionally(t -> null).join();
            return List.of(a.join(), b.join());
        } catch (CompletionException e) {
            if (e.getCause() instanceof StepFailure f) {
                throw f;
            }
            throw e;
        }
    }
}
