package dev.bottles.docker.bench;

import dev.bottles.BottleEvent;
import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.Phase;
import dev.bottles.PreparedBottle;
import dev.bottles.RunningBottle;
import dev.bottles.WarmPool;
import dev.bottles.docker.DockerBackend;
import dev.bottles.docker.DockerSettings;
import dev.bottles.docker.testimages.TestImages;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.Manifest;
import dev.bottles.sidecars.BundleLaunchSpec;
import dev.bottles.spi.Subnet;
import dev.bottles.state.SecureFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;

/**
 * Times N bottle lifecycles on the docker backend against the same steps done the seed's way (one
 * {@code docker} CLI process per step, sequential), interleaved in one run, then launches M
 * bottles at once, then claims K bottles from a warm pool against K cold launches with the SDK's
 * bundle. Run with {@code bottle-docker/bench.sh [N] [M] [K]}.
 */
public final class DockerBenchmark {
    private static final BenchTimes TIMES = new BenchTimes();

    private DockerBenchmark() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int m = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        TestImages.requireEngine();
        String agent = TestImages.agent();
        String bundle = TestImages.bundle();
        Path home = Files.createTempDirectory("bottle-bench-");
        DockerBackend backend = new DockerBackend();
        try {
            System.out.printf(
                    Locale.ROOT,
                    "bottles docker benchmark: %d lifecycles (+1 warm-up) interleaved with the"
                            + " CLI sequence, then %d at once%n",
                    n,
                    m);
            for (int i = 0; i <= n; i++) {
                boolean warm = i == 0;
                sdk(backend, home, agent, bundle, warm);
                cli(home, agent, bundle, i, warm);
            }
            report();
            if (m > 0) {
                concurrency(backend, home, agent, bundle, m);
            }
            int k = args.length > 2 ? Integer.parseInt(args[2]) : 10;
            if (k > 0) {
                warmPool(backend, home, agent, k);
            }
        } finally {
            SecureFiles.deleteRecursively(home);
        }
    }

    private static BottleSpec.Builder spec(Path home, String agent, @Nullable String bundle) {
        Manifest manifest = Manifest.builder()
                .bottle(BottleDefinition.builder("bench")
                        .route(EgressRoute.to("api.example.com"))
                        .build())
                .agent(AgentDefinition.builder("bench")
                        .bottle("bench")
                        .prompt("benchmark")
                        .build())
                .build();
        BottleSpec.Builder b = BottleSpec.builder("bench")
                .manifest(manifest)
                .home(home)
                .userCwd(home)
                .hostEnvironment(Map.of())
                .setting(DockerSettings.IMAGE, agent)
                .setting(DockerSettings.CONTAINER_UID, "0");
        return bundle == null ? b : b.setting(BundleLaunchSpec.IMAGE_SETTING, bundle);
    }

    private static void record(boolean warm, String key, double ms) {
        TIMES.record(warm, key, ms);
    }

    private static void sdk(DockerBackend backend, Path home, String agent, String bundle, boolean warm) {
        Map<String, Double> steps = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        PreparedBottle p = Bottles.using(backend)
                .prepare(spec(home, agent, bundle)
                        .listener((BottleEvent e) -> {
                            if (e.phase() == Phase.LAUNCH && !e.isPhase()) {
                                steps.put(e.step(), e.duration().toNanos() / 1e6);
                            }
                        })
                        .build());
        long t1 = System.nanoTime();
        RunningBottle b = p.launch();
        long t2 = System.nanoTime();
        b.exec("echo", "hi");
        long t3 = System.nanoTime();
        b.close();
        long t4 = System.nanoTime();
        record(warm, "sdk prepare", (t1 - t0) / 1e6);
        record(warm, "sdk bring-up", (t2 - t1) / 1e6);
        steps.forEach((k, v) -> record(warm, "sdk   step " + k, v));
        record(warm, "sdk first exec", (t3 - t2) / 1e6);
        record(warm, "sdk teardown", (t4 - t3) / 1e6);
        record(warm, "sdk TOTAL", (t4 - t0) / 1e6);
    }

    private static void cli(Path home, String agent, String bundle, int i, boolean warm)
            throws IOException, InterruptedException {
        String id = "clibench-" + i + "-" + Long.toHexString(System.nanoTime() & 0xfffff);
        Subnet s = new Subnet(192, 168, 200 + (i % 50)); // 50 at once, 50 distinct
        Subnet e = new Subnet(10, 214, 100 + (i % 100));
        String label = "--label=dev.bottles.identity=" + id;
        Path ca = Files.writeString(
                home.resolve("ca-" + id + ".pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        Path prompt = Files.writeString(home.resolve("prompt-" + id + ".txt"), "benchmark");
        try {
            cliRound(id, s, e, label, ca, prompt, agent, bundle, warm);
        } finally {
            for (String[] rm : new String[][] {
                {"rm", "-f", "agent-" + id, "sidecars-" + id}, {"network", "rm", "net-" + id, "egress-" + id}
            }) {
                List<String> argv = new ArrayList<>(List.of("docker"));
                argv.addAll(List.of(rm));
                new ProcessBuilder(argv)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start()
                        .waitFor();
            }
            Files.deleteIfExists(ca);
            Files.deleteIfExists(prompt);
        }
    }

    private static void cliRound(
            String id,
            Subnet s,
            Subnet e,
            String label,
            Path ca,
            Path prompt,
            String agent,
            String bundle,
            boolean warm)
            throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        double up = 0;
        up += docker(
                warm,
                "cli   step create-network",
                "network",
                "create",
                "--internal",
                label,
                "--subnet",
                s.cidr(),
                "--gateway",
                s.gateway(),
                "net-" + id);
        up += docker(
                warm,
                "cli   step create-egress-network",
                "network",
                "create",
                label,
                "--subnet",
                e.cidr(),
                "--gateway",
                e.gateway(),
                "egress-" + id);
        up += docker(
                warm,
                "cli   step run-bundle",
                "run",
                "-d",
                label,
                "--name",
                "sidecars-" + id,
                "--network",
                "net-" + id,
                "--ip",
                s.bundleIp(),
                "-e",
                "CLAUDE_BOTTLE_SIDECAR_DAEMONS=egress,pipelock",
                bundle);
        up += docker(warm, "cli   step connect-bundle", "network", "connect", "egress-" + id, "sidecars-" + id);
        up += docker(
                warm,
                "cli   step run-agent",
                "run",
                "-d",
                label,
                "--name",
                "agent-" + id,
                "--network",
                "net-" + id,
                "--cap-drop",
                "ALL",
                "--security-opt",
                "no-new-privileges",
                "--pids-limit",
                "1024",
                agent,
                "sleep",
                "infinity");
        up += docker(warm, "cli   step cp-ca", "cp", ca.toString(), "agent-" + id + ":/tmp/claude-bottle-egress.crt");
        up += docker(warm, "cli   step cp-prompt", "cp", prompt.toString(), "agent-" + id + ":/tmp/prompt.txt");
        up += docker(
                warm,
                "cli   step trust-ca",
                "exec",
                "-u",
                "0",
                "agent-" + id,
                "sh",
                "-c",
                "cat /tmp/claude-bottle-egress.crt >> /etc/ssl/certs/ca-certificates.crt");
        long t1 = System.nanoTime();
        docker(warm, "cli first exec", "exec", "agent-" + id, "echo", "hi");
        long t2 = System.nanoTime();
        docker(warm, "cli   step rm-agent", "rm", "-f", "agent-" + id);
        docker(warm, "cli   step rm-bundle", "rm", "-f", "sidecars-" + id);
        docker(warm, "cli   step rm-network", "network", "rm", "net-" + id);
        docker(warm, "cli   step rm-egress-network", "network", "rm", "egress-" + id);
        long t3 = System.nanoTime();
        record(warm, "cli bring-up", (t1 - t0) / 1e6);
        record(warm, "cli teardown", (t3 - t2) / 1e6);
        record(warm, "cli TOTAL", (t3 - t0) / 1e6);
        if (up < 0) {
            throw new IllegalStateException();
        }
    }

    private static double docker(boolean warm, String key, String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("docker"));
        argv.addAll(List.of(args));
        return TIMES.run(warm, key, argv);
    }

    private static void report() {
        TIMES.print();
        double sdk = TIMES.median("sdk TOTAL") - TIMES.median("sdk prepare");
        double cli = TIMES.median("cli TOTAL");
        System.out.printf(
                Locale.ROOT,
                "%nbring-up + first exec + teardown: sdk %.1f ms, cli %.1f ms, cli/sdk = %.2fx%n",
                sdk,
                cli,
                cli / sdk);
        System.out.printf(
                Locale.ROOT,
                "including prepare (CA minting, configs): sdk %.1f ms, cli/sdk = %.2fx%n",
                TIMES.median("sdk TOTAL"),
                cli / TIMES.median("sdk TOTAL"));
    }

    /**
     * With the SDK's real bundle: {@code k} rounds, each a claim from a warm pool (launch to first
     * exec) and a cold launch of the same spec.
     */
    private static void warmPool(DockerBackend backend, Path home, String agent, int k) throws Exception {
        BenchTimes times = new BenchTimes();
        BottleSpec real = spec(home, agent, null).build();
        // detached bottles never claim a member: the same spec, launched cold
        BottleSpec cold = spec(home, agent, null).detach(true).build();
        try (WarmPool pool = Bottles.using(backend).warmPool(real, 1)) {
            for (int i = 0; i <= k; i++) {
                boolean first = i == 0;
                awaitRefill(pool);
                long t0 = System.nanoTime();
                PreparedBottle p = Bottles.using(backend).prepare(real);
                long t1 = System.nanoTime();
                RunningBottle b = p.launch();
                long t2 = System.nanoTime();
                b.exec("echo", "hi");
                long t3 = System.nanoTime();
                if (!p.identity().startsWith("warm-")) {
                    throw new IllegalStateException("round " + i + " launched cold: " + p.identity());
                }
                times.record(first, "warm prepare (claims)", (t1 - t0) / 1e6);
                times.record(first, "warm launch (delivery)", (t2 - t1) / 1e6);
                times.record(first, "warm first exec", (t3 - t2) / 1e6);
                times.record(first, "warm LAUNCH TO FIRST EXEC", (t3 - t1) / 1e6);
                b.close();
                // the refill comes up before the cold launch is timed, so the two never overlap
                awaitRefill(pool);
                long c0 = System.nanoTime();
                PreparedBottle c = Bottles.using(backend).prepare(cold);
                long c1 = System.nanoTime();
                RunningBottle cb = c.launch();
                long c2 = System.nanoTime();
                cb.exec("echo", "hi");
                long c3 = System.nanoTime();
                cb.close();
                times.record(first, "cold real-bundle bring-up", (c2 - c1) / 1e6);
                times.record(first, "cold real-bundle LAUNCH TO FIRST EXEC", (c3 - c1) / 1e6);
                times.record(first, "cold real-bundle prepare", (c1 - c0) / 1e6);
            }
        }
        System.out.printf(Locale.ROOT, "%nwarm pool, SDK bundle, %d rounds (+1 warm-up):%n", k);
        times.print();
        System.out.printf(
                Locale.ROOT,
                "warm launch-to-first-exec p50 %.1f ms; cold %.1f ms; cold/warm = %.1fx%n",
                times.median("warm LAUNCH TO FIRST EXEC"),
                times.median("cold real-bundle LAUNCH TO FIRST EXEC"),
                times.median("cold real-bundle LAUNCH TO FIRST EXEC") / times.median("warm LAUNCH TO FIRST EXEC"));
    }

    private static void awaitRefill(WarmPool pool) {
        if (!pool.awaitReady(1, java.time.Duration.ofMinutes(4))) {
            throw new IllegalStateException("the pool did not refill: " + pool.lastFailure());
        }
    }

    /**
     * {@code m} bottles at once, launched (with a first exec) and then closed all together, against
     * {@code m} CLI lifecycles (the same steps as {@link #cli}) run in {@code m} threads; two rounds
     * each, interleaved. Prints the walls, the ratio and, for the SDK, each step's median and worst
     * duration across the bottles.
     */
    private static void concurrency(DockerBackend backend, Path home, String agent, String bundle, int m)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(m);
        List<Double> sdkWalls = new ArrayList<>();
        List<Double> cliWalls = new ArrayList<>();
        Map<String, List<Double>> steps = new java.util.concurrent.ConcurrentHashMap<>();
        int failures = 0;
        for (int round = 0; round < 2; round++) {
            List<CompletableFuture<Long>> launches = new ArrayList<>();
            List<RunningBottle> up = Collections.synchronizedList(new ArrayList<>());
            long t0 = System.nanoTime();
            for (int i = 0; i < m; i++) {
                launches.add(CompletableFuture.supplyAsync(
                        () -> {
                            long s = System.nanoTime();
                            RunningBottle b = Bottles.using(backend)
                                    .prepare(spec(home, agent, bundle)
                                            .listener((BottleEvent e) -> {
                                                if (!e.isPhase() || e.phase() == Phase.PREPARE) {
                                                    steps.computeIfAbsent(
                                                                    e.step(),
                                                                    k -> Collections.synchronizedList(
                                                                            new ArrayList<>()))
                                                            .add(e.duration().toNanos() / 1e6);
                                                }
                                            })
                                            .build())
                                    .launch();
                            up.add(b);
                            b.exec("echo", "hi");
                            return System.nanoTime() - s;
                        },
                        pool));
            }
            for (CompletableFuture<Long> f : launches) {
                try {
                    f.join();
                } catch (RuntimeException e) {
                    failures++;
                    System.out.println("  launch failed: " + e.getMessage());
                }
            }
            long t1 = System.nanoTime();
            List<CompletableFuture<Void>> closes = up.stream()
                    .map(b -> CompletableFuture.runAsync(b::close, pool))
                    .toList();
            closes.forEach(CompletableFuture::join);
            long t2 = System.nanoTime();
            sdkWalls.add((t2 - t0) / 1e6);
            System.out.printf(
                    Locale.ROOT,
                    "%d bottles at once, round %d: %d up, launch + first exec wall %.1f s, close wall %.1f s%n",
                    m,
                    round,
                    up.size(),
                    (t1 - t0) / 1e9,
                    (t2 - t1) / 1e9);

            int base = 1000 + round * m;
            long c0 = System.nanoTime();
            List<CompletableFuture<Void>> clis = new ArrayList<>();
            for (int i = 0; i < m; i++) {
                int n = base + i;
                clis.add(CompletableFuture.runAsync(
                        () -> {
                            try {
                                cli(home, agent, bundle, n, true);
                            } catch (IOException | InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        pool));
            }
            clis.forEach(CompletableFuture::join);
            cliWalls.add((System.nanoTime() - c0) / 1e6);
            System.out.printf(
                    Locale.ROOT,
                    "%d CLI lifecycles at once, round %d: wall %.1f s%n",
                    m,
                    round,
                    (System.nanoTime() - c0) / 1e9);
        }
        pool.shutdown();
        System.out.println("  SDK steps across the bottles (median / worst ms):");
        new java.util.TreeMap<>(steps).forEach((k, v) -> {
            List<Double> sorted = new ArrayList<>(v);
            Collections.sort(sorted);
            System.out.printf(
                    Locale.ROOT,
                    "    %-24s %8.1f / %8.1f%n",
                    k,
                    sorted.get(sorted.size() / 2),
                    sorted.get(sorted.size() - 1));
        });
        double sdk = Collections.min(sdkWalls);
        double cli = Collections.min(cliWalls);
        System.out.printf(
                Locale.ROOT,
                "%n%d at once (launch, exec, close), best of 2: sdk %.1f s, %d parallel CLI lifecycles %.1f s,"
                        + " sdk/cli = %.2fx, %d failures%n",
                m,
                sdk / 1000,
                m,
                cli / 1000,
                sdk / cli,
                failures);
    }
}
