package dev.bottles.smolmachines.internal;

import dev.bottles.BottleException;
import dev.bottles.ExecOptions;
import dev.bottles.ExecResult;
import dev.bottles.ExecTimeoutException;
import dev.bottles.dockerengine.DockerBundles;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.sidecars.Egress;
import dev.bottles.smolmachines.SmolmachinesBottlePlan;
import dev.bottles.spi.BackendBottle;
import dev.bottles.spi.BottlePlan;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bottle whose agent runs in a smolvm microVM. Commands go through {@code machine exec}; the
 * guest command runs under {@code sh -c} that reports its exit code on stderr ({@code __RC=N}),
 * since smolvm's own exit code 1 is ambiguous ({@code docs/smolvm.md} §1). Closing deletes the VM (always with
 * {@code -f}), the bundle and its network; missing things count as removed.
 */
public final class SmolBottle implements BackendBottle {
    /** The prefix of the forwarded values' variables in smolvm's own environment. */
    static final String SECRET_PREFIX = "BOTTLE_SECRET_";

    private static final Pattern RC = Pattern.compile("(?s)(.*?)(?:\\n)?__RC=(\\d+)\\n?$");
    private static final Duration GRACE = Duration.ofSeconds(30);

    private final SmolvmCli cli;
    private final DockerBundles bundles;
    private final SmolmachinesBottlePlan plan;
    private final AtomicBoolean closed = new AtomicBoolean();

    private final Map<String, String> credentialed;

    SmolBottle(SmolvmCli cli, DockerBundles bundles, SmolmachinesBottlePlan plan, Map<String, String> credentialed) {
        this.credentialed = Map.copyOf(credentialed);
        this.cli = cli;
        this.bundles = bundles;
        this.plan = plan;
    }

    /**
     * Returns the values {@code --secret-env} reads from smolvm's environment.
     *
     * @param plan the plan
     * @param credentialed guest variables whose values hold the access credential
     * @return variable to value
     */
    static Map<String, String> secrets(SmolmachinesBottlePlan plan, Map<String, String> credentialed) {
        Map<String, String> m = new LinkedHashMap<>();
        plan.env().forwardedValues().forEach((k, v) -> m.put(SECRET_PREFIX + k, v));
        credentialed.forEach((k, v) -> m.put(SECRET_PREFIX + k, v));
        return m;
    }

    @Override
    public String identity() {
        return plan.identity();
    }

    @Override
    public BottlePlan plan() {
        return plan;
    }

    @Override
    public ExecResult exec(List<String> argv, ExecOptions options) {
        List<String> args = execArgs(List.of(), argv, options);
        long t0 = System.nanoTime();
        SmolvmCli.Result r =
                cli.run(args, secrets(plan, credentialed), options.timeout().plus(GRACE));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        Matcher m = RC.matcher(r.stderr());
        if (m.matches()) {
            return new ExecResult(
                    Integer.parseInt(m.group(2)), r.stdout(), m.group(1).isEmpty() ? "" : m.group(1) + "\n", took);
        }
        if (r.exitCode() == 124) {
            throw new ExecTimeoutException(argv, options.timeout(), new ExecResult(-1, r.stdout(), r.stderr(), took));
        }
        throw cli.failure(args, r);
    }

    @Override
    public int execStreaming(
            List<String> argv,
            ExecOptions options,
            @org.jspecify.annotations.Nullable InputStream stdin,
            OutputStream stdout,
            OutputStream stderr) {
        List<String> args = execArgs(stdin != null ? List.of("--stream", "-i") : List.of("--stream"), argv, options);
        long t0 = System.nanoTime();
        ExitMarker err = new ExitMarker(stderr);
        int code = cli.stream(
                args,
                secrets(plan, credentialed),
                stdin,
                stdout,
                err,
                options.timeout().plus(GRACE));
        err.close();
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        if (err.code() != null) {
            return err.code();
        }
        if (code == 124 || code == -1) {
            throw new ExecTimeoutException(argv, options.timeout(), new ExecResult(-1, "", err.tail(), took));
        }
        throw cli.failure(args, new SmolvmCli.Result(code, "", err.tail()));
    }

    /**
     * Builds {@code machine exec}: the options, then the guest command under {@code sh -c}, which
     * reports its exit code on stderr ({@code __RC=N}).
     */
    private List<String> execArgs(List<String> flags, List<String> argv, ExecOptions options) {
        List<String> args = new ArrayList<>(
                List.of("machine", "exec", "--name", plan.machine().name()));
        args.addAll(flags);
        if (options.workingDir() != null) {
            args.addAll(List.of("-w", options.workingDir()));
        }
        options.env().forEach((k, v) -> args.addAll(List.of("-e", k + "=" + v)));
        args.addAll(List.of(
                "--timeout",
                Math.max(1, options.timeout().toSeconds()) + "s",
                "--",
                "sh",
                "-c",
                "\"$@\"; echo \"__RC=$?\" >&2",
                "sh"));
        args.addAll(argv);
        return args;
    }

    /**
     * Passes a streamed stderr on line by line, holding back the {@code __RC=N} marker the guest's
     * wrapper appends and keeping the exit code it carries.
     */
    static final class ExitMarker extends OutputStream {
        private static final Pattern MARK = Pattern.compile("(?s)(.*)__RC=(\\d+)");
        private final OutputStream to;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private final StringBuilder tail = new StringBuilder();
        private @org.jspecify.annotations.Nullable Integer code;

        ExitMarker(OutputStream to) {
            this.to = to;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            for (int i = off; i < off + len; i++) {
                line.write(b[i]);
                if (b[i] == '\n') {
                    emit(true);
                }
            }
            to.flush();
        }

        private void emit(boolean newline) throws IOException {
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            String body = newline ? text.substring(0, text.length() - 1) : text;
            Matcher m = MARK.matcher(body);
            if (m.matches()) {
                code = Integer.parseInt(m.group(2));
                if (!m.group(1).isEmpty()) {
                    pass(m.group(1));
                }
            } else if (!text.isEmpty()) {
                pass(text);
            }
        }

        private void pass(String s) throws IOException {
            to.write(s.getBytes(StandardCharsets.UTF_8));
            tail.append(s);
            if (tail.length() > 4096) {
                tail.delete(0, tail.length() - 4096);
            }
        }

        @Override
        public synchronized void close() {
            try {
                if (line.size() > 0) {
                    emit(false);
                }
                to.flush();
            } catch (IOException e) {
                // the caller's stream went away
            }
        }

        synchronized @org.jspecify.annotations.Nullable Integer code() {
            return code;
        }

        synchronized String tail() {
            return tail.toString();
        }
    }

    @Override
    public void allowRoute(EgressRoute route) {
        String digest = Egress.allow(plan.bundle().sidecars().egress().routesFile(), identity(), route);
        bundles.awaitRoutes(identity(), digest);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<String> failures = new ArrayList<>();
        // The VM and the bundle do not depend on each other: remove them at the same time.
        CompletableFuture<Void> bundle = CompletableFuture.runAsync(() -> {
            bundles.stopBundle(plan.identity());
            bundles.removeBundleNetwork(plan.bundle().network());
        });
        SmolvmCli.Result r = cli.run(
                List.of("machine", "delete", "--name", plan.machine().name(), "-f"), Map.of(), Duration.ofMinutes(2));
        if (r.exitCode() != 0 && r.failure() != SmolvmCli.Failure.VM_NOT_FOUND) {
            failures.add(cli.failure(
                            List.of(
                                    "machine",
                                    "delete",
                                    "--name",
                                    plan.machine().name(),
                                    "-f"),
                            r)
                    .getMessage());
        }
        bundle.join();
        if (!failures.isEmpty()) {
            throw new BottleException("teardown of bottle " + identity() + " left resources behind: "
                    + String.join("; ", failures) + ". Remove them with Bottles.cleanup(...)");
        }
    }
}
