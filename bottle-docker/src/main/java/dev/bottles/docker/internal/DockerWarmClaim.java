package dev.bottles.docker.internal;

import dev.bottles.BottleException;
import dev.bottles.BottleLaunchException;
import dev.bottles.Phase;
import dev.bottles.docker.DockerBottlePlan;
import dev.bottles.dockerengine.BundleLifecycle;
import dev.bottles.dockerengine.DockerEngine;
import dev.bottles.sidecars.AgentEnvironment;
import dev.bottles.sidecars.BundleLaunchSpec;
import dev.bottles.sidecars.Endpoints;
import dev.bottles.spi.BackendBottle;
import dev.bottles.spi.BottleEvents;
import dev.bottles.spi.Subnet;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Turns a claimed warm pool member into a bottle. Its bundle gets the bottle's environment (route
 * tokens, secret values, access credential) in the claim file it waits for, and starts its daemons
 * from the files the bottle's prepare wrote into its mounted directories; at the same time the
 * agent gets its files and, for programs that reach it later, its environment. Returns once the
 * bundle reports every daemon ready, as a cold launch does; the claim file is then removed.
 */
public final class DockerWarmClaim {
    private DockerWarmClaim() {}

    /**
     * Claims.
     *
     * @param engine the engine
     * @param member the member, as {@link DockerLaunch} launched it warm
     * @param plan the bottle's plan, prepared into the member's state dir
     * @param events where steps are reported
     * @return the bottle
     * @throws BottleLaunchException naming the step that failed; the member is left for the caller
     */
    public static BackendBottle run(
            DockerEngine engine, BackendBottle member, DockerBottlePlan plan, BottleEvents events) {
        if (!(member instanceof DockerBottle warm) || !warm.identity().equals(plan.identity())) {
            throw new IllegalArgumentException("not this plan's warm member: " + member);
        }
        Subnet subnet = warm.subnet();
        Map<String, String> env = AgentEnvironment.compose(
                plan.bundle().sidecars(),
                Endpoints.inBundle(subnet.bundleIp(), plan.bundle().sidecars().bundle()),
                plan.env());
        Path egressDir = plan.bundle().sidecars().egress().directory();
        BundleLaunchSpec spec = DockerLaunch.bundleSpec(plan, subnet);
        CompletableFuture<Void> bundle = CompletableFuture.runAsync(
                () -> step(events, "deliver-bundle", () -> {
                    BundleLifecycle.deliverClaim(spec, plan.bundle().routeTokens(), egressDir);
                    try {
                        BundleLifecycle.awaitReady(engine, plan.bundleName(), plan.bundleReadyTimeout());
                    } finally {
                        BundleLifecycle.retractClaim(egressDir);
                    }
                }),
                DockerLaunch.POOL);
        CompletableFuture<Void> agent = CompletableFuture.runAsync(
                () -> step(
                        events,
                        "deliver-agent",
                        () -> Provisioner.copyFilesAndEnv(engine, warm.agentContainer(), plan, subnet.bundleIp(), env)),
                DockerLaunch.POOL);
        try {
            CompletableFuture.allOf(bundle, agent).exceptionally(t -> null).join();
            bundle.join();
            agent.join();
        } catch (CompletionException e) {
            Throwable c = e.getCause() == null ? e : e.getCause();
            if (c instanceof Failed f) {
                throw new BottleLaunchException(plan.identity(), f.step, String.valueOf(f.getMessage()), f.getCause());
            }
            throw new BottleLaunchException(plan.identity(), "claim-warm", String.valueOf(c.getMessage()), c);
        }
        List<String> base = env.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .toList();
        return new DockerBottle(engine, plan, warm.agentContainer(), subnet, base);
    }

    private static final class Failed extends BottleException {
        private static final long serialVersionUID = 1L;
        final String step;

        Failed(String step, RuntimeException cause) {
            super(String.valueOf(cause.getMessage()), cause);
            this.step = step;
        }
    }

    private static void step(BottleEvents events, String name, Runnable work) {
        try {
            events.run(Phase.LAUNCH, name, work);
        } catch (RuntimeException e) {
            throw new Failed(name, e);
        }
    }
}
