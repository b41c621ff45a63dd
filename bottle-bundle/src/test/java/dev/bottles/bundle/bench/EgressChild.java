package dev.bottles.bundle.bench;

import dev.bottles.bundle.EgressProxy;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Egress alone in a JVM of its own, for {@link EgressBenchmark} to measure its memory under the
 * bundle's JVM flags: started with the benchmark's options, it prints {@code PORT <n>} and serves
 * until its stdin closes.
 */
public final class EgressChild {
    private EgressChild() {}

    /**
     * Runs.
     *
     * @param args the benchmark's directory, the upstream's port
     * @throws IOException never in practice
     */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        int upstream = Integer.parseInt(args[1]);
        try (EgressProxy egress =
                EgressProxy.start(EgressBenchmark.options(dir, upstream).build())) {
            System.out.println("PORT " + egress.port());
            System.out.flush();
            while (System.in.read() >= 0) {
                // served until the benchmark closes our stdin
            }
        }
    }
}
