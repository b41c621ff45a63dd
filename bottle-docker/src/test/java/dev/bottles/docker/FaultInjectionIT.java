package dev.bottles.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.docker.testimages.TestImages;
import dev.bottles.state.BottleHome;
import dev.bottles.state.Owner;
import dev.bottles.state.StateDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Programs killed with {@code kill -9} at random points (before, during and after their launch)
 * leave nothing once the reaper's bound has passed, with no cleanup call, while two other
 * programs hold a bottle each and launch and close others on the same engine and bottle home the
 * whole time, untouched. {@code -Dbottles.faults=N} sets the number of kills (10 by default; the
 * full run, {@code scripts/fault-injection}, does 100); {@code -Dbottles.faults.seed} replays one.
 * Two programs that each run the full cleanup in a loop while launching and closing never break
 * each other's launches.
 */
class FaultInjectionIT extends AgainstOneHome {

    /** What the engine and the home still hold of an owner: its resources and its unkept state. */
    private Set<String> leftovers(long pid) {
        Set<String> out = new TreeSet<>();
        Map<String, String> docker = Map.of("dev.bottles.backend", DockerBackend.ID);
        TestImages.engine().containers(docker).stream()
                .filter(c -> ownedBy(c.labels(), pid))
                .forEach(c -> out.add("container " + c.name()));
        TestImages.engine().networks(docker).stream()
                .filter(n -> ownedBy(n.labels(), pid))
                .forEach(n -> out.add("network " + n.name()));
        for (StateDir s : new BottleHome(home).states()) {
            if (s.owner().map(o -> o.pid() == pid).orElse(false) && !s.isPreserved()) {
                out.add("state " + s.identity());
            }
        }
        return out;
    }

    private static boolean ownedBy(Map<String, String> labels, long pid) {
        return Owner.parse(labels.getOrDefault(Owner.LABEL, ""))
                .map(o -> o.pid() == pid && o.host().equals(Owner.localHost()))
                .orElse(false);
    }

    @Test
    void killedProgramsLeaveNothingAfterTheBoundAndLiveOnesAreUntouched() throws Exception {
        int faults = Integer.getInteger("bottles.faults", 7);
        long seed = Long.getLong("bottles.faults.seed", System.nanoTime());
        Random random = new Random(seed);
        List<OwnerPrograms.Program> live = List.of(programs.start("live"), programs.start("live"));
        Map<OwnerPrograms.Program, Set<String>> held = new HashMap<>();
        for (OwnerPrograms.Program p : live) {
            held.put(p, TestImages.labelled(programs.launched(p)));
        }

        // how long a program takes to launch here, to spread the kills over before, during and after
        OwnerPrograms.Program probe = programs.start("hold");
        long t0 = System.nanoTime();
        programs.launched(probe);
        long launchMillis = (System.nanoTime() - t0) / 1_000_000;
        probe.kill();

        Map<Long, Long> killedAt = new LinkedHashMap<>();
        killedAt.put(probe.pid(), System.nanoTime());
        Map<String, Integer> phases = new TreeMap<>();
        phases.merge("after launch", 1, Integer::sum);
        Map<Long, Long> reapedAt = new ConcurrentHashMap<>();
        Thread watcher = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                for (Map.Entry<Long, Long> k : List.copyOf(killedAt.entrySet())) {
                    if (!reapedAt.containsKey(k.getKey())
                            && leftovers(k.getKey()).isEmpty()) {
                        reapedAt.put(k.getKey(), System.nanoTime());
                    }
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        watcher.setDaemon(true);
        watcher.start();
        for (int i = 1; i < faults; i++) {
            OwnerPrograms.Program p = programs.start("hold");
            Thread.sleep(random.nextInt((int) (launchMillis * 3 / 2) + 1));
            String phase = p.line("LAUNCHED ").isPresent()
                    ? "after launch"
                    : p.line("PREPARED ").isPresent() ? "during launch" : "before prepare";
            p.kill();
            synchronized (killedAt) {
                killedAt.put(p.pid(), System.nanoTime());
            }
            phases.merge(phase, 1, Integer::sum);
        }

        // the bound, counted from the last kill; no cleanup is called
        long lastKill = Collections.max(killedAt.values());
        while (System.nanoTime() - lastKill < ReaperIT.BOUND.toNanos() && reapedAt.size() < killedAt.size()) {
            Thread.sleep(100);
        }
        watcher.interrupt();
        watcher.join();
        Map<Long, Set<String>> left = new TreeMap<>();
        for (long pid : killedAt.keySet()) {
            Set<String> l = leftovers(pid);
            if (!l.isEmpty()) {
                left.put(pid, l);
            }
        }
        List<Long> delays = new ArrayList<>();
        reapedAt.forEach((pid, at) -> delays.add(Math.max(0, at - killedAt.get(pid)) / 1_000_000));
        Collections.sort(delays);
        int kept = (int) new BottleHome(home)
                .states().stream().filter(StateDir::isPreserved).count();

        for (OwnerPrograms.Program p : live) {
            p.process.getOutputStream().close(); // ends it: it checks its held bottle and reports
        }
        List<String> reports = new ArrayList<>();
        for (OwnerPrograms.Program p : live) {
            reports.add(p.await("DONE ", Duration.ofMinutes(2)));
        }
        System.out.printf(
                "FAULTS kills=%d seed=%d launch_ms=%d phases=%s reap_ms p50=%d p95=%d max=%d kept_states=%d live=%s%n",
                killedAt.size(),
                seed,
                launchMillis,
                phases,
                delays.isEmpty() ? -1 : delays.get(delays.size() / 2),
                delays.isEmpty() ? -1 : delays.get(Math.min(delays.size() - 1, delays.size() * 95 / 100)),
                delays.isEmpty() ? -1 : delays.get(delays.size() - 1),
                kept,
                reports);

        Path log = home.resolve("reaper/log");
        if (Files.exists(log)) {
            Files.readAllLines(log).stream()
                    .filter(l -> !l.contains(" removed "))
                    .forEach(System.out::println);
        }
        assertEquals(Map.of(), left, "killed programs' leftovers after the bound (seed " + seed + ")");
        for (OwnerPrograms.Program p : live) {
            assertEquals(
                    List.of(),
                    p.lines.stream().filter(l -> l.startsWith("FAIL")).toList(),
                    "live program failures");
            assertTrue(p.line("DONE ").orElseThrow().contains(" failures=0 "), p.lines.toString());
            assertTrue(p.line("DONE ").orElseThrow().matches("cycles=[1-9].*"), "it launched meanwhile: " + p.lines);
        }
        // the held bottles were intact until their programs closed them
        held.values().forEach(h -> assertEquals(4, h.size(), h.toString()));
    }

    @Test
    void twoProgramsEachCleaningUpInALoopNeverBreakTheOthersLaunches() throws Exception {
        List<OwnerPrograms.Program> both = List.of(programs.start("live-cleanup"), programs.start("live-cleanup"));
        for (OwnerPrograms.Program p : both) {
            programs.launched(p);
        }
        // each launches and closes bottles while the other's cleanup loops, for a few cycles each
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (both.stream().anyMatch(p -> cycles(p) < 3) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        for (OwnerPrograms.Program p : both) {
            p.process.getOutputStream().close();
        }
        for (OwnerPrograms.Program p : both) {
            String done = p.await("DONE ", Duration.ofMinutes(2));
            System.out.println("CLEANUP-LOOPS " + done);
            assertEquals(
                    List.of(),
                    p.lines.stream().filter(l -> l.startsWith("FAIL")).toList(),
                    programs.errors());
            assertTrue(done.contains(" failures=0 "), done);
            assertTrue(!done.contains("cleanups=0"), "its cleanup looped: " + done);
        }
    }

    private static long cycles(OwnerPrograms.Program p) {
        return p.lines.stream().filter(l -> l.startsWith("LAUNCHED ")).count() - 1;
    }
}
