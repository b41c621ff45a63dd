package dev.bottles.kubernetes.internal;

import dev.bottles.BottleException;
import dev.bottles.ExecOptions;
import dev.bottles.ExecResult;
import dev.bottles.ExecTimeoutException;
import dev.bottles.kubernetes.KubernetesBottlePlan;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.sidecars.Egress;
import dev.bottles.spi.BackendBottle;
import dev.bottles.spi.BottlePlan;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A running bottle on a cluster: commands run in its agent pod under {@link AgentShell}, approved
 * routes are pushed into its bundle pod and confirmed from the bundle's log, and {@link #close()}
 * removes its objects by label.
 */
public final class KubeBottle implements BackendBottle {
    private static final System.Logger LOG = System.getLogger(KubeBottle.class.getName());
    private static final AtomicLong EXECS = new AtomicLong();

    private final KubernetesClient client;
    private final KubernetesBottlePlan plan;
    private final PodExec agent;
    private final PodExec bundle;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Wraps a launched bottle.
     *
     * @param client the client
     * @param plan its plan
     */
    public KubeBottle(KubernetesClient client, KubernetesBottlePlan plan) {
        this.client = client;
        this.plan = plan;
        this.agent = new PodExec(client, plan.namespace(), Names.agentPod(plan.identity()), Names.AGENT_CONTAINER);
        this.bundle = new PodExec(client, plan.namespace(), Names.bundlePod(plan.identity()), Names.BUNDLE_CONTAINER);
    }

    @Override
    public String identity() {
        return plan.identity();
    }

    @Override
    public BottlePlan plan() {
        return plan;
    }

    private void open() {
        if (closed.get()) {
            throw new IllegalStateException("bottle " + identity() + " is closed");
        }
    }

    private Map<String, String> vars(ExecOptions options) {
        String user = options.user();
        if (user != null && !user.equals(Long.toString(plan.agent().uid()))) {
            throw new BottleException("the kubernetes backend runs every command as the agent pod's user (uid "
                    + plan.agent().uid() + "): Kubernetes exec has no user of its own; drop ExecOptions.user '"
                    + user + "'");
        }
        Map<String, String> vars = new LinkedHashMap<>(plan.env().forwardedValues());
        vars.putAll(options.env());
        return vars;
    }

    private static String workdir(ExecOptions options) {
        return options.workingDir() != null ? options.workingDir() : BottleObjects.WORKSPACE;
    }

    private static String pidFile() {
        return "/tmp/.bottle-exec-" + ProcessHandle.current().pid() + "-" + EXECS.incrementAndGet();
    }

    @Override
    public ExecResult exec(List<String> argv, ExecOptions options) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        try {
            int code = execStreaming(argv, options, null, out, err);
            return new ExecResult(
                    code,
                    out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8),
                    Duration.ofNanos(System.nanoTime() - t0));
        } catch (ExecTimeoutException e) {
            throw new ExecTimeoutException(
                    argv,
                    options.timeout(),
                    new ExecResult(
                            -1,
                            out.toString(StandardCharsets.UTF_8),
                            err.toString(StandardCharsets.UTF_8),
                            Duration.ofNanos(System.nanoTime() - t0)));
        }
    }

    @Override
    public int execStreaming(
            List<String> argv,
            ExecOptions options,
            @Nullable InputStream stdin,
            OutputStream stdout,
            OutputStream stderr) {
        open();
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("no command");
        }
        byte[] header = AgentShell.lines(vars(options), true);
        String pidFile = pidFile();
        long t0 = System.nanoTime();
        Path spool = null;
        try {
            long length = -1;
            InputStream more = null;
            if (stdin != null) {
                // the exec stream cannot close stdin, so the command is told how much there is
                spool = Files.createTempFile(
                        "bottles-stdin-",
                        ".bin",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                try (OutputStream o = Files.newOutputStream(spool)) {
                    stdin.transferTo(o);
                }
                length = Files.size(spool);
                more = Files.newInputStream(spool);
            }
            try (InputStream in = more) {
                PodExec.Outcome o = agent.run(
                        AgentShell.command(pidFile, "-", workdir(options), length, argv),
                        header,
                        in,
                        stdout,
                        stderr,
                        options.timeout());
                if (!o.finished()) {
                    stop(pidFile);
                    throw new ExecTimeoutException(
                            argv,
                            options.timeout(),
                            new ExecResult(-1, "", "", Duration.ofNanos(System.nanoTime() - t0)));
                }
                return o.exitCode();
            }
        } catch (IOException e) {
            throw new BottleException(
                    "cannot pass stdin to " + argv.get(0) + " in bottle " + identity() + " (" + e + ")", e);
        } finally {
            if (spool != null) {
                try {
                    Files.deleteIfExists(spool);
                } catch (IOException ignored) {
                    // a private temporary file
                }
            }
        }
    }

    private void stop(String pidFile) {
        try {
            agent.run(
                    List.of(
                            "/bin/sh",
                            "-c",
                            "p=$(cat " + pidFile + " 2>/dev/null) && [ -n \"$p\" ] || exit 0;"
                                    + " kill -TERM $p 2>/dev/null; i=0; while kill -0 $p 2>/dev/null && [ $i -lt 50 ];"
                                    + " do sleep 0.1; i=$((i+1)); done; kill -KILL $p 2>/dev/null; rm -f " + pidFile),
                    null,
                    null,
                    OutputStream.nullOutputStream(),
                    OutputStream.nullOutputStream(),
                    Duration.ofSeconds(15));
        } catch (BottleException e) {
            LOG.log(Level.WARNING, "could not stop a timed-out command in " + identity() + ": " + e.getMessage());
        }
    }

    @Override
    public int attach(List<String> argv, ExecOptions options) {
        open();
        return Attach.run(agent, vars(options), workdir(options), argv);
    }

    @Override
    public void allowRoute(EgressRoute route) {
        open();
        String digest = Egress.allow(plan.bundle().sidecars().egress().routesFile(), identity(), route);
        byte[] routes;
        try {
            routes = Files.readAllBytes(plan.bundle().sidecars().egress().routesFile());
        } catch (IOException e) {
            throw new BottleException("cannot read the bottle's routes (" + e + ")", e);
        }
        bundle.check(BundleCommands.pushRoutes(routes.length), routes, Duration.ofSeconds(30));
        BundleLog.await(
                client,
                plan,
                "\"sha256\":\"" + digest + "\"",
                "\"event\":\"routes-reload-failed\"",
                Duration.ofSeconds(15));
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<String> failures = Teardown.remove(client, plan.namespace(), plan.identity());
        if (!failures.isEmpty()) {
            throw new BottleException("teardown of bottle " + identity() + " left objects behind: "
                    + String.join("; ", failures) + ". Remove them with Bottles.cleanup(...)");
        }
    }

    @Override
    public String toString() {
        return "KubeBottle[" + identity() + " in " + plan.namespace() + "]";
    }
}
