package dev.bottles.bundle.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The resident memory of egress in a process of its own: the bundle image's JVM in its container
 * ({@code -Degress.image=<ref>}), or {@link EgressChild} started with the flags the benchmark is
 * given ({@code -Degress.jvm="..."}). Sampled from {@code /proc} at named moments,
 * its peak tracked every 50 ms, and once more after the load, when it has had time to give memory
 * back.
 */
final class EgressMemory {
    /** How long egress idles after the load before the last sample. */
    static final long SETTLE_SECONDS = 20;

    private final long pid;
    private final Map<String, String> samples = new LinkedHashMap<>();
    private final AtomicLong peak = new AtomicLong();

    EgressMemory(long pid) {
        this.pid = pid;
        BooleanSupplier alive = () -> Files.exists(Path.of("/proc", Long.toString(pid)));
        Thread t = new Thread(
                () -> {
                    while (alive.getAsBoolean()) {
                        peak.accumulateAndGet(rss(), Math::max);
                        try {
                            Thread.sleep(50);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "rss-sampler");
        t.setDaemon(true);
        t.start();
    }

    static Process startChild(String jvm, Path dir, int upstream) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String f : jvm.trim().split("\\s+")) {
            if (!f.isEmpty()) {
                cmd.add(f);
            }
        }
        cmd.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                EgressChild.class.getName(),
                dir.toString(),
                Integer.toString(upstream)));
        return new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    static int childPort(Process child) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine();
        if (line == null || !line.startsWith("PORT ")) {
            throw new IOException("egress's JVM did not start: " + line);
        }
        return Integer.parseInt(line.substring(5).strip());
    }

    long rss() {
        return status("VmRSS:");
    }

    /** A {@code /proc/<pid>/status} field in bytes, 0 when the process is gone. */
    private long status(String field) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (l.startsWith(field)) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return 0;
    }

    void sample(String moment) {
        // file-backed pages (the JVM's library, the class data archive, the jar) are shared by every
        // bundle on the host; the anonymous ones are what one more bottle costs
        samples.put(
                moment,
                String.format(
                        Locale.ROOT,
                        "%6.1f MiB (%5.1f anonymous, %5.1f shared files)",
                        status("VmRSS:") / 1048576.0,
                        status("RssAnon:") / 1048576.0,
                        status("RssFile:") / 1048576.0));
    }

    void settle() throws InterruptedException {
        Thread.sleep(SETTLE_SECONDS * 1000);
        sample(SETTLE_SECONDS + " s after the load, idle");
    }

    void report() {
        System.out.println("egress's resident memory (its own JVM, the flags given):");
        samples.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-58s %s%n", k, v));
        System.out.printf(Locale.ROOT, "  %-58s %6.1f MiB%n", "peak, sampled every 50 ms", peak.get() / 1048576.0);
    }

    /**
     * The real bundle image run for the benchmark: egress alone, on a bridge network the benchmark
     * creates, its port published on 127.0.0.1 only, the bench hosts resolving to the network's
     * gateway. Labelled {@code dev.bottles.test} and removed with its network at the end.
     */
    static final class Container {
        private final String name;
        private final String network;
        private final String gateway;

        private Container(String name, String network, String gateway) {
            this.name = name;
            this.network = network;
            this.gateway = gateway;
        }

        static Container start(String image, Path dir) throws IOException, InterruptedException {
            String id = Long.toHexString(System.nanoTime());
            String network = "bottles-egress-bench-" + id;
            String name = "bottles-egress-bench-" + id;
            docker("network", "create", "--label", "dev.bottles.test=egress-bench", network);
            String gateway = docker("network", "inspect", "-f", "{{(index .IPAM.Config 0).Gateway}}", network)
                    .strip();
            Container c = new Container(name, network, gateway);
            try {
                List<String> run = new ArrayList<>(List.of(
                        "run",
                        "-d",
                        "--name",
                        name,
                        "--label",
                        "dev.bottles.test=egress-bench",
                        "--network",
                        network,
                        "--memory",
                        "512m",
                        "-p",
                        "127.0.0.1::8080",
                        "-v",
                        dir + ":/etc/egress:ro",
                        "--user",
                        "0"));
                for (String h : List.of("api.bench.test", "www.bench.test", "open.bench.test")) {
                    run.addAll(List.of("--add-host", h + ":" + gateway));
                }
                run.addAll(List.of(
                        "-e",
                        "CLAUDE_BOTTLE_SIDECAR_DAEMONS=egress",
                        "-e",
                        "EGRESS_LISTEN=0.0.0.0",
                        "-e",
                        "BENCH_TOKEN=bench-secret-value-0123456789",
                        "-e",
                        "CLAUDE_BOTTLE_DLP_GITHUB_TOKEN=ghp_benchBENCHbench0123456789abcdefghijkl",
                        "-e",
                        "CLAUDE_BOTTLE_DLP_DB_PASSWORD=correct-horse-battery-staple-42",
                        image));
                docker(run.toArray(String[]::new));
                return c;
            } catch (IOException | RuntimeException e) {
                c.remove();
                throw e;
            }
        }

        String gateway() {
            return gateway;
        }

        void awaitReady() throws IOException, InterruptedException {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!docker("logs", name).contains("\"bundle-ready\"")) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("the bundle did not get ready: " + docker("logs", name));
                }
                Thread.sleep(100);
            }
        }

        int port() throws IOException, InterruptedException {
            String p =
                    docker("port", name, "8080/tcp").strip().lines().findFirst().orElse("");
            return Integer.parseInt(p.substring(p.lastIndexOf(':') + 1));
        }

        long pid() throws IOException, InterruptedException {
            return Long.parseLong(
                    docker("inspect", "-f", "{{.State.Pid}}", name).strip());
        }

        void remove() throws IOException, InterruptedException {
            docker("rm", "-f", name);
            docker("network", "rm", network);
        }

        private static String docker(String... args) throws IOException, InterruptedException {
            List<String> argv = new ArrayList<>(List.of("docker"));
            argv.addAll(List.of(args));
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            boolean removal = args[0].equals("rm") || (args[0].equals("network") && args[1].equals("rm"));
            if (p.waitFor() != 0 && !removal) {
                throw new IOException("docker " + String.join(" ", args) + " failed: " + out);
            }
            return out;
        }
    }
}
