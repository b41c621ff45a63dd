package dev.bottles.docker.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** Timings of a benchmark run: named samples, CLI steps timed as subprocesses, medians. */
public final class BenchTimes {
    private final Map<String, List<Double>> times = new ConcurrentHashMap<>();

    /**
     * Records a sample unless this is the warm-up round.
     *
     * @param warm whether this is the warm-up
     * @param key the measurement
     * @param ms milliseconds
     */
    public void record(boolean warm, String key, double ms) {
        if (!warm) {
            times.computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>()))
                    .add(ms);
        }
    }

    /**
     * Runs a command to completion, recording its time; fails when it fails.
     *
     * @param warm whether this is the warm-up
     * @param key the measurement
     * @param argv the command
     * @return milliseconds
     * @throws IOException when it cannot start
     * @throws InterruptedException when interrupted
     */
    public double run(boolean warm, String key, List<String> argv) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " failed: " + out);
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        record(warm, key, ms);
        return ms;
    }

    /**
     * Returns the median of a measurement.
     *
     * @param key the measurement
     * @return its median in milliseconds
     */
    public double median(String key) {
        List<Double> s = new ArrayList<>(times.get(key));
        Collections.sort(s);
        int k = s.size();
        return k % 2 == 1 ? s.get(k / 2) : (s.get(k / 2 - 1) + s.get(k / 2)) / 2;
    }

    /** Prints every measurement's median. */
    public void print() {
        System.out.println();
        System.out.println("median ms over the measured rounds");
        new TreeMap<>(times).forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-34s %8.1f%n", k, median(k)));
    }
}
