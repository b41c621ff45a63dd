package dev.bottles.bundle;

import dev.bottles.sidecars.BundleAccess;
import dev.bottles.sidecars.BundleImage;
import dev.bottles.sidecars.Daemon;
import dev.bottles.sidecars.Egress;
import dev.bottles.sidecars.EgressConfig;
import dev.bottles.sidecars.GitGate;
import dev.bottles.sidecars.GitGateConfig;
import dev.bottles.sidecars.PipelockProxy;
import dev.bottles.sidecars.SecretScanner;
import dev.bottles.sidecars.SidecarBundle;
import dev.bottles.sidecars.SidecarPlans;
import dev.bottles.sidecars.Supervise;
import dev.bottles.sidecars.SuperviseConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * PID 1 of the sidecar bundle container. It starts the daemons {@code CLAUDE_BOTTLE_SIDECAR_DAEMONS}
 * names from the configs the host rendered (mounted read-only), logs JSON lines to stdout, prints
 * {@code {"event":"bundle-ready"}} once every daemon answers (launch waits for that line), and on
 * SIGTERM stops them with a grace period. A daemon this image does not have is a startup error
 * (fail closed), never a silent gap. A daemon that dies later is logged, not a teardown (the
 * original's rule). Started with {@value SidecarBundle#AWAIT_ENV}, it first waits, warm and holding
 * no secret, for a warm pool's claim ({@link WarmStart}).
 *
 * <p>This image has {@link #DAEMONS}; pipelock runs when its binary is at {@link #PIPELOCK_BINARY}.
 */
public final class BundleMain {
    /** The daemons this program implements, as the image label {@value BundleImage#DAEMONS_LABEL} lists them. */
    public static final List<Daemon> DAEMONS = readDaemons();
    /** Where an image that has pipelock carries its binary. */
    public static final Path PIPELOCK_BINARY = Path.of("/pipelock");
    /** How long daemons get after SIGTERM before they are killed. */
    public static final Duration GRACE = Duration.ofSeconds(8);

    private BundleMain() {}

    /**
     * Runs the bundle until SIGTERM.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals(RoutesPush.COMMAND)) {
            System.exit(RoutesPush.run(args, System.getenv(), System.in, System.err));
        }
        String identity = env(SidecarBundle.IDENTITY_ENV, "");
        BundleLog log = BundleLog.jsonLines(System.out, identity, Clock.systemUTC());
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> log.event(
                "bundle",
                "uncaught",
                Map.of("thread", t.getName(), "error", e.getClass().getSimpleName() + ": " + e.getMessage())));
        Map<String, String> env = System.getenv();
        String await = env.get(SidecarBundle.AWAIT_ENV);
        if (await != null && !await.isBlank()) {
            try {
                env = WarmStart.await(Path.of(await), env, log);
            } catch (IllegalStateException e) {
                log.event("bundle", "start-failed", Map.of("reason", String.valueOf(e.getMessage())));
                System.exit(2);
            }
        }
        int code = run(env, log, new CountDownLatch(1), true);
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * Starts the daemons, waits until {@code stop} opens, then stops them.
     *
     * @param env the environment
     * @param log the log
     * @param stop opened to stop (by the shutdown hook in the container)
     * @param hook whether to install the SIGTERM hook
     * @return 0, or 2 when a daemon could not start
     */
    static int run(Map<String, String> env, BundleLog log, CountDownLatch stop, boolean hook) {
        List<Daemon> wanted = new ArrayList<>();
        try {
            for (String n :
                    env.getOrDefault(SidecarBundle.DAEMONS_ENV, "egress").split(",")) {
                if (!n.isBlank()) {
                    wanted.add(Daemon.named(n));
                }
            }
        } catch (IllegalArgumentException e) {
            log.event("bundle", "start-failed", Map.of("reason", e.getMessage()));
            return 2;
        }
        List<AutoCloseable> running = new ArrayList<>();
        CountDownLatch stopped = new CountDownLatch(1);
        if (hook) {
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                log.event("bundle", "stopping", Map.of("grace_seconds", GRACE.toSeconds()));
                                stop.countDown();
                                try {
                                    stopped.await(GRACE.toSeconds() + 2, TimeUnit.SECONDS);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            },
                            "bundle-sigterm"));
        }
        try {
            // pipelock first: egress's upstream must answer before egress takes traffic.
            if (wanted.contains(Daemon.PIPELOCK)) {
                running.add(startPipelock(log));
            }
            for (Daemon d : wanted) {
                if (d == Daemon.EGRESS) {
                    running.add(EgressProxy.start(egressOptions(env, log, wanted.contains(Daemon.PIPELOCK))));
                } else if (d == Daemon.SUPERVISE) {
                    running.add(supervise(env, log));
                } else if (d == Daemon.GIT_GATE) {
                    running.add(gitGate(env, log));
                } else if (d != Daemon.PIPELOCK && !DAEMONS.contains(d)) {
                    throw new IllegalStateException(d.wireName() + " is not in this bundle image (it has "
                            + DAEMONS.stream().map(Daemon::wireName).toList() + "); the SDK should not have asked for"
                            + " it: check the image's " + BundleImage.DAEMONS_LABEL + " label");
                }
            }
            log.event(
                    "bundle",
                    "bundle-ready",
                    Map.of("daemons", wanted.stream().map(Daemon::wireName).toList()));
        } catch (RuntimeException e) {
            log.event("bundle", "start-failed", Map.of("reason", String.valueOf(e.getMessage())));
            closeAll(running, log);
            stopped.countDown();
            return 2;
        }
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeAll(running, log);
        log.event("bundle", "stopped", Map.of());
        stopped.countDown();
        return 0;
    }

    /**
     * Builds egress's options from the bundle's mounts and environment.
     *
     * @param env the environment
     * @param log the log
     * @param viaPipelock whether pipelock is egress's upstream
     * @return the options
     */
    static EgressOptions egressOptions(Map<String, String> env, BundleLog log, boolean viaPipelock) {
        Path dir = Path.of(env.getOrDefault("EGRESS_DIR", Egress.DIR_IN_CONTAINER));
        List<Path> anchors = new ArrayList<>();
        anchors.add(dir.resolve("extra-ca.pem"));
        InetSocketAddress upstream = null;
        String proxy = env.get("EGRESS_UPSTREAM_PROXY");
        if (viaPipelock && proxy != null && !proxy.isBlank()) {
            URI u = URI.create(proxy);
            upstream = new InetSocketAddress(u.getHost(), u.getPort());
            anchors.add(Path.of(env.getOrDefault("EGRESS_UPSTREAM_CA", PipelockProxy.CA_CERT_IN_CONTAINER)));
        }
        int port = Integer.parseInt(env.getOrDefault("EGRESS_PORT", String.valueOf(Daemon.EGRESS.port())));
        return EgressOptions.builder(routesFile(env), dir.resolve("ca.pem"), dir.resolve("ca-key.pem"))
                .listen(new InetSocketAddress(env.getOrDefault("EGRESS_LISTEN", "0.0.0.0"), port))
                .upstreamProxy(upstream)
                .extraAnchors(anchors)
                .tokens(env::get)
                .secrets(secrets(env))
                .accessToken(access(env))
                .log(log)
                .build();
    }

    /**
     * Returns the bottle's access credential, which every agent-facing daemon requires; null only
     * when the bundle was started without one (an older SDK), which the log says loudly.
     *
     * @param env the environment
     * @return the credential, or null
     */
    static @Nullable String access(Map<String, String> env) {
        String v = env.get(BundleAccess.ENV);
        return v == null || v.isBlank() ? null : v;
    }

    /**
     * Collects the bottle's secret values egress and the git gate keep from leaving: the forwarded
     * values the SDK passed as {@code CLAUDE_BOTTLE_DLP_<NAME>}, and the git gate's private keys
     * (their longest line, which any copy of the key holds).
     *
     * @param env the environment
     * @return secret name to value
     */
    static Map<String, String> secrets(Map<String, String> env) {
        Map<String, String> out = new TreeMap<>();
        env.forEach((k, v) -> {
            if (k.startsWith(SidecarPlans.DLP_ENV_PREFIX) && !v.isEmpty()) {
                out.put(k.substring(SidecarPlans.DLP_ENV_PREFIX.length()), v);
            }
        });
        Path keys = Path.of(env.getOrDefault("GIT_GATE_DIR", GitGate.DIR_IN_CONTAINER))
                .resolve("keys");
        if (Files.isDirectory(keys)) {
            try (Stream<Path> files = Files.list(keys)) {
                for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                    Files.readAllLines(f).stream()
                            .map(String::strip)
                            .filter(l -> !l.startsWith("-----"))
                            .max(Comparator.comparingInt(String::length))
                            .filter(l -> l.length() >= 40)
                            .ifPresent(l -> out.put("git key " + f.getFileName(), l));
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the git gate's keys in " + keys + " (" + e + ")", e);
            }
        }
        return out;
    }

    /**
     * Returns egress's live policy: {@code routes.yaml} in the egress directory, or, where the host
     * cannot write that directory (a pod's is a read-only Secret volume), the writable file
     * {@value RoutesPush#ROUTES_ENV} names, seeded from the directory's copy on first use.
     *
     * @param env the environment
     * @return the file
     */
    static Path routesFile(Map<String, String> env) {
        Path seed =
                Path.of(env.getOrDefault("EGRESS_DIR", Egress.DIR_IN_CONTAINER)).resolve("routes.yaml");
        String live = env.get(RoutesPush.ROUTES_ENV);
        if (live == null || live.isBlank()) {
            return seed;
        }
        Path file = Path.of(live);
        if (!Files.exists(file) && Files.isRegularFile(seed)) {
            try {
                Files.createDirectories(file.toAbsolutePath().getParent());
                Files.copy(seed, file);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // another daemon seeded it first
            } catch (IOException e) {
                throw new UncheckedIOException("cannot seed " + file + " from " + seed, e);
            }
        }
        return file;
    }

    private static GitGateDaemon gitGate(Map<String, String> env, BundleLog log) {
        Path dir = Path.of(env.getOrDefault("GIT_GATE_DIR", GitGate.DIR_IN_CONTAINER));
        GitGateConfig c = GitGateConfig.read(dir.resolve("upstreams.json"));
        // the gate refuses pushes holding the bottle's secret values: the route tokens it was given
        Path routes = routesFile(env);
        Map<String, String> secrets = new LinkedHashMap<>(secrets(env));
        if (Files.isRegularFile(routes)) {
            for (String ref : EgressConfig.read(routes).tokenRefs()) {
                String v = env.get(ref);
                if (v != null && !v.isEmpty()) {
                    secrets.put(ref, v);
                }
            }
        }
        int port = Integer.parseInt(env.getOrDefault("GIT_GATE_PORT", String.valueOf(Daemon.GIT_GATE.port())));
        return GitGateDaemon.start(
                c,
                new InetSocketAddress(env.getOrDefault("EGRESS_LISTEN", "0.0.0.0"), port),
                Path.of(env.getOrDefault("GIT_GATE_MIRRORS", "/srv/git")),
                dir.resolve("keys"),
                dir.resolve("known_hosts"),
                SecretScanner.of(secrets),
                access(env),
                log);
    }

    private static SuperviseServer supervise(Map<String, String> env, BundleLog log) {
        Path config = Path.of(env.getOrDefault("SUPERVISE_CONFIG", Supervise.CONFIG_IN_CONTAINER));
        SuperviseConfig c = SuperviseConfig.read(config);
        int port = Integer.parseInt(env.getOrDefault("SUPERVISE_PORT", String.valueOf(c.port())));
        return SuperviseServer.start(
                c,
                new InetSocketAddress(env.getOrDefault("EGRESS_LISTEN", "0.0.0.0"), port),
                Path.of(env.getOrDefault("SUPERVISE_QUEUE", c.queueDir())),
                routesFile(env),
                access(env),
                log);
    }

    private static AutoCloseable startPipelock(BundleLog log) {
        if (!Files.isExecutable(PIPELOCK_BINARY)) {
            throw new IllegalStateException("pipelock is not in this bundle image (no " + PIPELOCK_BINARY + ")");
        }
        ProcessBuilder pb = new ProcessBuilder(
                        PIPELOCK_BINARY.toString(),
                        "run",
                        "--config",
                        PipelockProxy.CONFIG_IN_CONTAINER,
                        "--listen",
                        "127.0.0.1:" + Daemon.PIPELOCK.port())
                .inheritIO();
        // pipelock's own environment: no route tokens (its DLP scans its env; egress holds them).
        pb.environment().keySet().removeIf(k -> !k.equals("PATH") && !k.equals("HOME"));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start pipelock (" + e.getMessage() + ")", e);
        }
        p.onExit().thenAccept(done -> log.event("pipelock", "exited", Map.of("code", done.exitValue())));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!answers("127.0.0.1", Daemon.PIPELOCK.port())) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IllegalStateException("pipelock did not listen on 127.0.0.1:" + Daemon.PIPELOCK.port());
            }
            sleep(50);
        }
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("listen", "127.0.0.1:" + Daemon.PIPELOCK.port());
        f.put("pid", p.pid());
        log.event("pipelock", "ready", f);
        return () -> stopProcess(p);
    }

    private static void stopProcess(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }

    private static void closeAll(List<AutoCloseable> running, BundleLog log) {
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                log.event("bundle", "stop-failed", Map.of("reason", String.valueOf(e.getMessage())));
            }
        }
    }

    private static boolean answers(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static List<Daemon> readDaemons() {
        // one list, read here and by the SDK that labels the image (dev/bottles/bundle/daemons)
        try (InputStream in = BundleMain.class.getResourceAsStream("daemons")) {
            if (in == null) {
                throw new IllegalStateException("dev/bottles/bundle/daemons is missing from the bundle jar");
            }
            return Arrays.stream(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("[,\\s]+"))
                    .filter(x -> !x.isBlank())
                    .map(Daemon::named)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String env(String name, String fallback) {
        @Nullable String v = System.getenv(name);
        return v == null ? fallback : v;
    }
}
