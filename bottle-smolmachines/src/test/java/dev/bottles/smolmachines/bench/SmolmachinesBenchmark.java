package dev.bottles.smolmachines.bench;

import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.Phase;
import dev.bottles.PreparedBottle;
import dev.bottles.RunningBottle;
import dev.bottles.docker.bench.BenchTimes;
import dev.bottles.docker.testimages.TestImages;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.Manifest;
import dev.bottles.sidecars.BundleLaunchSpec;
import dev.bottles.smolmachines.SmolmachinesBackend;
import dev.bottles.smolmachines.SmolmachinesBottlePlan;
import dev.bottles.smolmachines.SmolmachinesSettings;
import dev.bottles.spi.Subnet;
import dev.bottles.state.SecureFiles;
import dev.bottles.testkit.FakeSmolvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Times N smolmachines lifecycles against the same steps done the seed's way ({@code docker} and
 * {@code smolvm} CLI processes, one per step, sequentially), interleaved in one run. Both sides drive
 * the same {@code smolvm}: the testkit's fake unless {@code SMOLVM} names a real one. Run with
 * {@code bottle-smolmachines/bench.sh [N]}.
 */
public final class SmolmachinesBenchmark {
    private static final BenchTimes TIMES = new BenchTimes();

    private SmolmachinesBenchmark() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        TestImages.requireEngine();
        Path work = Files.createTempDirectory("bottle-smol-bench-");
        String smolvm = System.getenv("SMOLVM");
        boolean fake = smolvm == null;
        if (fake) {
            smolvm = FakeSmolvm.install(work.resolve("smolvm")).executable().toString();
        }
        String bundle = TestImages.bundle();
        try {
            System.out.printf(
                    Locale.ROOT,
                    "bottles smolmachines benchmark: %d lifecycles (+1 warm-up) against the CLI"
                            + " sequence, smolvm = %s%n",
                    n,
                    fake ? "the testkit's fake (a JVM per call)" : smolvm);
            for (int i = 0; i <= n; i++) {
                boolean warm = i == 0;
                SmolmachinesBottlePlan plan = sdk(work, smolvm, bundle, warm);
                cli(work, smolvm, bundle, plan.machine().pack(), i, warm);
            }
            TIMES.print();
            double sdk = TIMES.median("sdk TOTAL") - TIMES.median("sdk prepare");
            double cli = TIMES.median("cli TOTAL");
            System.out.printf(
                    Locale.ROOT,
                    "%nbring-up + first exec + teardown: sdk %.1f ms, cli %.1f ms, cli/sdk = %.2fx%n",
                    sdk,
                    cli,
                    cli / sdk);
        } finally {
            SecureFiles.deleteRecursively(work);
        }
    }

    private static SmolmachinesBottlePlan sdk(Path work, String smolvm, String bundle, boolean warm) {
        Manifest m = Manifest.builder()
                .bottle(BottleDefinition.builder("bench").build())
                .agent(AgentDefinition.builder("bench")
                        .bottle("bench")
                        .prompt("benchmark")
                        .build())
                .build();
        BottleSpec spec = BottleSpec.builder("bench")
                .manifest(m)
                .home(work.resolve("home"))
                .userCwd(work)
                .hostEnvironment(Map.of())
                .setting(SmolmachinesSettings.SMOLVM, smolvm)
                .setting(SmolmachinesSettings.CHECK_KVM, "false")
                .setting(SmolmachinesSettings.CACHE, work.resolve("cache").toString())
                .setting(BundleLaunchSpec.IMAGE_SETTING, bundle)
                .listener(e -> {
                    if (!e.isPhase() && e.phase() == Phase.LAUNCH) {
                        TIMES.record(
                                warm, "sdk   step " + e.step(), e.duration().toNanos() / 1e6);
                    }
                })
                .build();
        long t0 = System.nanoTime();
        PreparedBottle p = Bottles.using(new SmolmachinesBackend()).prepare(spec);
        long t1 = System.nanoTime();
        RunningBottle b = p.launch();
        long t2 = System.nanoTime();
        b.exec("echo", "hi");
        long t3 = System.nanoTime();
        b.close();
        long t4 = System.nanoTime();
        TIMES.record(warm, "sdk prepare", (t1 - t0) / 1e6);
        TIMES.record(warm, "sdk bring-up", (t2 - t1) / 1e6);
        TIMES.record(warm, "sdk first exec", (t3 - t2) / 1e6);
        TIMES.record(warm, "sdk teardown", (t4 - t3) / 1e6);
        TIMES.record(warm, "sdk TOTAL", (t4 - t0) / 1e6);
        return (SmolmachinesBottlePlan) p.plan();
    }

    private static void cli(Path work, String smolvm, String bundle, Path pack, int i, boolean warm) throws Exception {
        String id = "smolbench-" + i + "-" + Long.toHexString(System.nanoTime() & 0xfffff);
        Subnet s = new Subnet(192, 168, 150 + (i % 40));
        String label = "dev.bottles.identity=" + id;
        try {
            long t0 = System.nanoTime();
            step(
                    warm,
                    "cli   step create-network",
                    "docker",
                    "network",
                    "create",
                    "--label",
                    label,
                    "--subnet",
                    s.cidr(),
                    "--gateway",
                    s.gateway(),
                    "net-" + id);
            step(
                    warm,
                    "cli   step run-bundle",
                    "docker",
                    "run",
                    "-d",
                    "--label",
                    label,
                    "--name",
                    "sidecars-" + id,
                    "--network",
                    "net-" + id,
                    "--ip",
                    s.bundleIp(),
                    "-p",
                    "127.0.0.1::8080",
                    bundle);
            step(warm, "cli   step read-port", "docker", "port", "sidecars-" + id, "8080/tcp");
            step(
                    warm,
                    "cli   step create-machine",
                    smolvm,
                    "machine",
                    "create",
                    "--name",
                    id,
                    "--from",
                    pack.toString(),
                    "-e",
                    "HTTPS_PROXY=http://100.96.0.1:8080",
                    "--allow-cidr",
                    "100.96.0.1/32",
                    "--label",
                    label);
            step(warm, "cli   step start-machine", smolvm, "machine", "start", "--name", id);
            step(warm, "cli   step wait-ready", smolvm, "machine", "exec", "--name", id, "--", "true");
            step(
                    warm,
                    "cli   step provision",
                    smolvm,
                    "machine",
                    "exec",
                    "--name",
                    id,
                    "-w",
                    "/",
                    "--",
                    "sh",
                    "-c",
                    "mkdir -p tmp && echo benchmark > tmp/prompt.txt");
            long t1 = System.nanoTime();
            step(warm, "cli first exec", smolvm, "machine", "exec", "--name", id, "--", "echo", "hi");
            long t2 = System.nanoTime();
            step(warm, "cli   step delete-machine", smolvm, "machine", "delete", "--name", id, "-f");
            step(warm, "cli   step rm-bundle", "docker", "rm", "-f", "sidecars-" + id);
            step(warm, "cli   step rm-network", "docker", "network", "rm", "net-" + id);
            long t3 = System.nanoTime();
            TIMES.record(warm, "cli bring-up", (t1 - t0) / 1e6);
            TIMES.record(warm, "cli teardown", (t3 - t2) / 1e6);
            TIMES.record(warm, "cli TOTAL", (t3 - t0) / 1e6);
        } finally {
            new ProcessBuilder(smolvm, "machine", "delete", "--name", id, "-f")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor();
            new ProcessBuilder("docker", "rm", "-f", "sidecars-" + id)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor();
            new ProcessBuilder("docker", "network", "rm", "net-" + id)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor();
        }
    }

    private static void step(boolean warm, String key, String... argv) throws Exception {
        TIMES.run(warm, key, new ArrayList<>(List.of(argv)));
    }
}
