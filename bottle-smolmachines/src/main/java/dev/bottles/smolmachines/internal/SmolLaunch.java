package dev.bottles.smolmachines.internal;

import dev.bottles.BottleException;
import dev.bottles.BottleLaunchException;
import dev.bottles.Phase;
import dev.bottles.dockerengine.DockerBundles;
import dev.bottles.sidecars.AgentEnvironment;
import dev.bottles.sidecars.AgentFiles;
import dev.bottles.sidecars.BundleLaunchSpec;
import dev.bottles.sidecars.Daemon;
import dev.bottles.sidecars.Endpoints;
import dev.bottles.smolmachines.SmolmachinesBottlePlan;
import dev.bottles.spi.BackendBottle;
import dev.bottles.spi.BottleEvents;
import dev.bottles.spi.Subnet;
import dev.bottles.state.Owner;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Brings a smolmachines bottle up (the loopback-fix design for smolvm 1.9): the bundle network and
 * the bundle, its agent-facing ports published on 127.0.0.1 and read back; the VM created from the
 * pack with the guest environment, the forwarded values as {@code --secret-env}, an allowlist
 * admitting only the host gateway, and labels; started; provisioned by a script retried until the
 * guest answers.
 * Any failure removes what was created, newest first.
 */
public final class SmolLaunch {
    private static final System.Logger LOG = System.getLogger(SmolLaunch.class.getName());
    private static final Duration CALL = Duration.ofMinutes(5);

    private final Map<String, String> credentialed = new LinkedHashMap<>();
    private final SmolvmCli cli;
    private final DockerBundles bundles;
    private final SmolmachinesBottlePlan plan;
    private final BottleEvents events;
    private final Duration ready;
    private final Deque<Runnable> undo = new ArrayDeque<>();

    /**
     * Prepares a launch.
     *
     * @param cli the smolvm wrapper
     * @param bundles the bundle primitives
     * @param plan the plan
     * @param events where steps are reported
     * @param ready how long the VM may take to answer after start
     */
    public SmolLaunch(
            SmolvmCli cli, DockerBundles bundles, SmolmachinesBottlePlan plan, BottleEvents events, Duration ready) {
        this.cli = cli;
        this.bundles = bundles;
        this.plan = plan;
        this.events = events;
        this.ready = ready;
    }

    /**
     * Runs the launch.
     *
     * @return the running bottle
     * @throws BottleLaunchException naming the failed step, after removing what was created
     */
    public BackendBottle run() {
        String step = "create-network";
        try {
            Map<String, String> netLabels = labels("network");
            Subnet subnet = events.time(
                    Phase.LAUNCH,
                    step,
                    () -> bundles.createBundleNetwork(
                            plan.bundle().network(), plan.bundle().subnets(), netLabels));
            undo.push(() -> bundles.removeBundleNetwork(plan.bundle().network()));

            step = "bundle-image";
            events.time(
                    Phase.LAUNCH,
                    step,
                    () -> bundles.ensureBundleImage(
                            plan.bundle().image(),
                            plan.bundle().build(),
                            line -> events.progress("bundle-image", line)));

            step = "start-bundle";
            BundleLaunchSpec spec = BundleLaunchSpec.of(
                    plan.bundle().sidecars(),
                    plan.backendId(),
                    plan.bundle().network(),
                    subnet,
                    true,
                    plan.bundle().image());
            events.time(
                    Phase.LAUNCH,
                    step,
                    () -> bundles.startBundle(
                            spec,
                            plan.bundle().routeTokens(),
                            List.of(),
                            plan.bundle().build()));
            undo.push(() -> bundles.stopBundle(plan.identity()));

            step = "bundle-ready";
            events.time(Phase.LAUNCH, step, () -> {
                bundles.awaitBundleReady(plan.identity(), plan.bundle().build());
                return null;
            });

            step = "read-ports";
            Map<Daemon, Integer> ports = new EnumMap<>(Daemon.class);
            for (Daemon d : plan.bundle().sidecars().bundle().agentFacing()) {
                ports.put(d, bundles.bundleHostPort(plan.identity(), d.port()));
            }
            Endpoints endpoints = Endpoints.published(
                    plan.vm().hostAddress(), ports, plan.bundle().sidecars().bundle());
            Map<String, String> guestEnv =
                    AgentEnvironment.compose(plan.bundle().sidecars(), endpoints, plan.env());

            step = "create-machine";
            List<String> create = new ArrayList<>(List.of(
                    "machine",
                    "create",
                    "--name",
                    plan.machine().name(),
                    "--from",
                    plan.machine().pack().toString()));
            // values holding the access credential (the proxy URLs, the gate URL) travel like forwarded
            // values: by name on smolvm's argv, the value in its environment, so no local user reads them
            String access = plan.bundle().sidecars().access().token();
            guestEnv.forEach((k, v) -> {
                if (v.contains(access)) {
                    credentialed.put(k, v);
                    create.addAll(List.of("--secret-env", k + "=" + SmolBottle.SECRET_PREFIX + k));
                } else {
                    create.addAll(List.of("-e", k + "=" + v));
                }
            });
            plan.env()
                    .forwardedNames()
                    .forEach(n -> create.addAll(List.of("--secret-env", n + "=" + SmolBottle.SECRET_PREFIX + n)));
            create.addAll(List.of("--allow-cidr", plan.allowCidr()));
            labels("agent").forEach((k, v) -> create.addAll(List.of("--label", k + "=" + v)));
            create.addAll(List.of(
                    "--label",
                    "dev.bottles.agent=" + plan.agentName(),
                    "--label",
                    "dev.bottles.services=" + plan.bundle().sidecars().bundle().daemonsCsv()));
            call(step, create);
            undo.push(() -> cli.run(
                    List.of("machine", "delete", "--name", plan.machine().name(), "-f"), Map.of(), CALL));

            step = "start-machine";
            call(step, List.of("machine", "start", "--name", plan.machine().name()));

            step = "provision";
            events.run(Phase.LAUNCH, step, () -> provision(endpoints));
            return new SmolBottle(cli, bundles, plan, credentialed);
        } catch (RuntimeException e) {
            rollback();
            throw new BottleLaunchException(plan.identity(), step, String.valueOf(e.getMessage()), e);
        }
    }

    private Map<String, String> labels(String role) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("dev.bottles.identity", plan.identity());
        m.put("dev.bottles.backend", plan.backendId());
        m.put("dev.bottles.role", role);
        m.put(Owner.LABEL, Owner.current().label());
        return m;
    }

    private void call(String step, List<String> args) {
        events.run(Phase.LAUNCH, step, () -> cli.check(args, SmolBottle.secrets(plan, credentialed), CALL));
    }

    /**
     * Runs an idempotent guest command until the VM answers it: the provisioning script doubles as
     * the readiness probe (smolvm's own tests poll {@code exec -- true} after start), saving a call.
     */
    private void execWhenReady(List<String> args) {
        long deadline = System.nanoTime() + ready.toNanos();
        SmolvmCli.Result last = null;
        while (System.nanoTime() < deadline) {
            last = cli.run(args, SmolBottle.secrets(plan, credentialed), CALL);
            if (last.exitCode() == 0) {
                return;
            }
            SmolvmCli.Failure f = last.failure();
            boolean comingUp = f == SmolvmCli.Failure.NOT_RUNNING
                    || f == SmolvmCli.Failure.ALREADY_STARTING
                    || last.stderr().contains("agent operation failed: connect");
            if (!comingUp) {
                throw cli.failure(args, last);
            }
            sleep(200);
        }
        throw new BottleException("machine " + plan.machine().name() + " did not answer within " + ready.toSeconds()
                + " s after start" + (last == null ? "" : ": " + last.stderr().strip()));
    }

    /** Writes the agent's files with relative paths from {@code /}, so nothing can land outside the guest. */
    private void provision(Endpoints endpoints) {
        StringBuilder script = new StringBuilder("set -e\n");
        for (AgentFiles.AgentFile f : AgentFiles.of(
                plan.bundle().sidecars(),
                endpoints,
                plan.machine().promptFile(),
                plan.machine().skills(),
                plan.machine().home())) {
            String dir = f.path().contains("/") ? f.path().substring(0, f.path().lastIndexOf('/')) : ".";
            script.append("mkdir -p '")
                    .append(dir)
                    .append("' && printf '%s' '")
                    .append(Base64.getEncoder().encodeToString(f.content()))
                    .append("' | base64 -d > '")
                    .append(f.path())
                    .append("' && chmod ")
                    .append(Integer.toOctalString(f.mode()))
                    .append(" '")
                    .append(f.path())
                    .append("'\n");
        }
        script.append(AgentFiles.TRUST_SCRIPT).append('\n');
        execWhenReady(List.of(
                "machine", "exec", "--name", plan.machine().name(), "-w", "/", "--", "sh", "-c", script.toString()));
    }

    private void rollback() {
        while (!undo.isEmpty()) {
            try {
                undo.pop().run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "rollback of bottle " + plan.identity() + ": " + e.getMessage());
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BottleException("interrupted while waiting for the VM", e);
        }
    }
}
