package dev.bottles.docker.internal;

import dev.bottles.BottleException;
import dev.bottles.ExecOptions;
import dev.bottles.ExecResult;
import dev.bottles.ExecTimeoutException;
import dev.bottles.docker.DockerBottlePlan;
import dev.bottles.dockerengine.BundleLifecycle;
import dev.bottles.dockerengine.DockerEngine;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.sidecars.Egress;
import dev.bottles.sidecars.Terminal;
import dev.bottles.spi.BackendBottle;
import dev.bottles.spi.BottlePlan;
import dev.bottles.spi.Subnet;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A bottle running on Docker. Commands run through the engine's exec API with the bottle's
 * forwarded values added to their environment (they are never in the container's own config).
 * A command past its timeout is killed through the pid file its {@code /bin/sh} wrapper wrote, as
 * the engine has no way to stop an exec. Closing removes both containers at once, then both
 * networks; missing things count as removed.
 */
final class DockerBottle implements BackendBottle {
    private static final System.Logger LOG = System.getLogger(DockerBottle.class.getName());
    private static final AtomicLong EXECS = new AtomicLong();

    private final DockerEngine engine;
    private final DockerBottlePlan plan;
    private final String agent;
    private final Subnet subnet;
    private final List<String> baseEnv;
    private final AtomicBoolean closed = new AtomicBoolean();

    DockerBottle(DockerEngine engine, DockerBottlePlan plan, String agent, Subnet subnet, List<String> baseEnv) {
        this.engine = engine;
        this.plan = plan;
        this.agent = agent;
        this.subnet = subnet;
        this.baseEnv = List.copyOf(baseEnv);
    }

    @Override
    public String identity() {
        return plan.identity();
    }

    @Override
    public BottlePlan plan() {
        return plan;
    }

    /**
     * Returns the subnet the launch got.
     *
     * @return the internal network's subnet
     */
    Subnet subnet() {
        return subnet;
    }

    String agentContainer() {
        return agent;
    }

    @Override
    public ExecResult exec(List<String> argv, ExecOptions options) {
        String pidFile = pidFile();
        DockerEngine.ExecOutcome o = engine.exec(command(wrapped(argv, pidFile), options), options.timeout());
        if (!o.finished()) {
            stop(pidFile, user(options));
            throw new ExecTimeoutException(argv, options.timeout(), o.result());
        }
        return o.result();
    }

    @Override
    public int execStreaming(
            List<String> argv,
            ExecOptions options,
            @Nullable InputStream stdin,
            OutputStream stdout,
            OutputStream stderr) {
        String pidFile = pidFile();
        long t0 = System.nanoTime();
        DockerEngine.StreamOutcome o = engine.stream(
                command(wrapped(argv, pidFile), options),
                new DockerEngine.Streams(stdin, stdout, stderr),
                options.timeout());
        if (!o.finished()) {
            stop(pidFile, user(options));
            throw new ExecTimeoutException(
                    argv, options.timeout(), new ExecResult(-1, "", "", Duration.ofNanos(System.nanoTime() - t0)));
        }
        return o.exitCode();
    }

    private static String pidFile() {
        return "/tmp/.bottle-exec-" + ProcessHandle.current().pid() + "-" + EXECS.incrementAndGet();
    }

    private static List<String> wrapped(List<String> argv, String pidFile) {
        List<String> wrapped = new ArrayList<>(
                List.of("/bin/sh", "-c", "echo $$ > " + pidFile + " 2>/dev/null; exec \"$@\"", argv.get(0)));
        wrapped.addAll(argv);
        return wrapped;
    }

    private List<String> env(ExecOptions options) {
        List<String> env = new ArrayList<>(baseEnv);
        plan.env().forwardedValues().forEach((k, v) -> env.add(k + "=" + v));
        options.env().forEach((k, v) -> env.add(k + "=" + v));
        return env;
    }

    private DockerEngine.Command command(List<String> argv, ExecOptions options) {
        return new DockerEngine.Command(agent, argv, user(options), workdir(options), env(options));
    }

    private @Nullable String user(ExecOptions options) {
        String user = options.user();
        return user != null ? user : plan.agent().user();
    }

    /**
     * Stops a timed-out command cleanly: TERM, up to five seconds to exit, then KILL; as the user it
     * ran as, since the agent's root holds no capability to signal another user's processes.
     */
    private void stop(String pidFile, @Nullable String user) {
        try {
            engine.exec(
                    new DockerEngine.Command(
                            agent,
                            List.of(
                                    "/bin/sh",
                                    "-c",
                                    "p=$(cat " + pidFile + " 2>/dev/null) && [ -n \"$p\" ] || exit 0;"
                                            + " kill -TERM $p 2>/dev/null; i=0; while kill -0 $p 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1;"
                                            + " i=$((i+1)); done; kill -KILL $p 2>/dev/null; rm -f " + pidFile),
                            user,
                            null,
                            List.of()),
                    Duration.ofSeconds(15));
        } catch (BottleException e) {
            LOG.log(Level.WARNING, "could not stop a timed-out command in " + identity() + ": " + e.getMessage());
        }
    }

    @Override
    public void allowRoute(EgressRoute route) {
        String digest = Egress.allow(plan.bundle().sidecars().egress().routesFile(), identity(), route);
        BundleLifecycle.awaitRoutes(engine, plan.bundleName(), digest);
    }

    @Override
    public int attach(List<String> argv, ExecOptions options) {
        return attach(engine, command(argv, options));
    }

    /**
     * Runs a command in a container attached to this process's terminal: raw mode and the window's
     * size (again on every SIGWINCH) when there is one.
     */
    static int attach(DockerEngine engine, DockerEngine.Command command) {
        try (Terminal term = Terminal.raw()) {
            boolean tty = term.present();
            // The size goes in at once and again on every SIGWINCH; the first resize can race the
            // exec's start, so it is retried for a moment.
            return engine.attach(
                    command,
                    tty,
                    new DockerEngine.Streams(tty ? term.input() : null, System.out, System.err),
                    execId -> term.follow((cols, rows) -> {
                        for (int i = 0; i < 20 && !engine.resizeExec(execId, cols, rows); i++) {
                            try {
                                Thread.sleep(25);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                return;
                            }
                        }
                    }));
        }
    }

    static String workdir(ExecOptions options) {
        return options.workingDir() != null ? options.workingDir() : Provisioner.WORKSPACE;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // The outbound network waits for the bundle only; the internal one for both containers.
        CompletableFuture<Void> agent = CompletableFuture.runAsync(
                () -> engine.removeContainer(plan.agent().container()), DockerLaunch.POOL);
        CompletableFuture<Void> bundle =
                CompletableFuture.runAsync(() -> engine.removeContainer(plan.bundleName()), DockerLaunch.POOL);
        CompletableFuture<Void> egress =
                bundle.thenRunAsync(() -> engine.removeNetwork(plan.networks().egress()), DockerLaunch.POOL);
        CompletableFuture<Void> internal = CompletableFuture.allOf(agent, bundle)
                .thenRunAsync(() -> engine.removeNetwork(plan.networks().internal()), DockerLaunch.POOL);
        List<String> failures = new ArrayList<>();
        for (CompletableFuture<Void> f : List.of(agent, bundle, egress, internal)) {
            try {
                f.join();
            } catch (RuntimeException e) {
                failures.add(String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
            }
        }
        if (!failures.isEmpty()) {
            throw new BottleException("teardown of bottle " + identity() + " left resources behind: "
                    + String.join("; ", failures) + ". Remove them with Bottles.cleanup(...)");
        }
    }

    @Override
    public String toString() {
        return "DockerBottle[" + identity() + ", " + plan.agent().container() + " on " + subnet + "]";
    }
}
