package dev.bottles.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.RunningBottle;
import dev.bottles.docker.testimages.TestImages;
import dev.bottles.sidecars.BundleLaunchSpec;
import dev.bottles.spi.CleanupReport;
import dev.bottles.spi.CleanupRequest;
import dev.bottles.state.BottleHome;
import dev.bottles.state.Owner;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bottles belong to the program that launched them, each in a JVM of its own as users run them:
 * another program's cleanup, looping the whole time, never removes a bottle whose owner lives
 * (launching or running), removes what a {@code kill -9}ed owner left, and a program that exits
 * without closing its bottle has it closed by the shutdown hook, its state kept.
 */
class OwnershipIT {
    @TempDir
    Path home;

    private final List<Process> programs = new ArrayList<>();
    private final List<String> identities = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void images() {
        TestImages.requireEngine();
        TestImages.agent();
        TestImages.bundle();
    }

    @AfterEach
    void stop() throws Exception {
        for (Process p : programs) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        identities.forEach(TestImages::removeLabelled);
    }

    private Process program(String mode) throws Exception {
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        OwnerProgram.class.getName(),
                        home.toString(),
                        TestImages.agent(),
                        TestImages.bundle(),
                        mode)
                .redirectError(
                        home.resolve("program-" + programs.size() + ".err").toFile())
                .start();
        programs.add(p);
        return p;
    }

    private String launched(Process p) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                String l;
                while ((l = out.readLine()) != null) {
                    if (l.startsWith("LAUNCHED ")) {
                        return l.substring("LAUNCHED ".length());
                    }
                }
                return "";
            } catch (IOException e) {
                return "";
            }
        });
        String id = line.get(2, TimeUnit.MINUTES);
        assertFalse(id.isEmpty(), "the program launched its bottle: " + errors());
        identities.add(id);
        return id;
    }

    /** Runs a program that launches its bottle and exits by itself; returns the bottle's identity. */
    private String launchedThenExited(String mode) throws Exception {
        Process p = program(mode);
        String id = launched(p);
        assertTrue(p.waitFor(1, TimeUnit.MINUTES), "the program exits");
        assertEquals(0, p.exitValue(), errors());
        return id;
    }

    private String errors() throws Exception {
        StringBuilder b = new StringBuilder();
        try (var files = Files.list(home)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".err")).toList()) {
                b.append(Files.readString(f));
            }
        }
        return b.toString();
    }

    private static CleanupReport cleanup() {
        return new DockerBackend().cleanup(new CleanupRequest(false));
    }

    @Test
    void cleanupRemovesACrashedOwnersBottleAndNeverALiveOnesEvenWhileItLaunches() throws Exception {
        AtomicBoolean looping = new AtomicBoolean(true);
        AtomicInteger rounds = new AtomicInteger();
        List<String> removedWhileLaunching = new CopyOnWriteArrayList<>();
        // another program's full cleanup (engine and state dirs of the same home), the whole time both owners launch
        CompletableFuture<Void> loop = CompletableFuture.runAsync(() -> {
            while (looping.get()) {
                removedWhileLaunching.addAll(Bottles.cleanup(CleanupRequest.remove(), new BottleHome(home))
                        .removed());
                rounds.incrementAndGet();
            }
        });
        Process live = program("hold");
        Process crashing = program("hold");
        String liveId = launched(live);
        String crashedId = launched(crashing);
        looping.set(false);
        loop.get(1, TimeUnit.MINUTES);
        assertTrue(rounds.get() > 0, "cleanup ran while they launched");
        assertTrue(
                removedWhileLaunching.stream().noneMatch(r -> r.contains(liveId) || r.contains(crashedId)),
                "cleanup removed a live owner's resources: " + removedWhileLaunching);

        assertEquals(
                Map.of(
                        "state/" + liveId + "/agent/resolv.conf",
                        "rw-r--r--",
                        "state/" + crashedId + "/agent/resolv.conf",
                        "rw-r--r--"),
                FileModes.notPrivate(home).entrySet().stream()
                        .filter(e -> e.getKey().startsWith("state/"))
                        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)),
                "under the home only the agent's resolv.conf, mounted into the agent, is readable by others");

        Set<String> liveHeld = TestImages.labelled(liveId);
        assertEquals(4, liveHeld.size(), "two networks, the bundle and the agent: " + liveHeld);
        assertTrue(
                TestImages.engine().containers(Map.of("dev.bottles.identity", liveId)).stream()
                        .allMatch(c -> Owner.parse(c.labels().get(Owner.LABEL))
                                .map(o -> o.pid() == live.pid())
                                .orElse(false)),
                "every container names its owner");

        crashing.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // kill -9: no hook runs
        assertEquals(4, TestImages.labelled(crashedId).size(), "a crashed owner leaves its bottle behind");
        CleanupReport r = cleanup();
        assertEquals(Set.of(), TestImages.labelled(crashedId), "cleanup removed the crashed owner's bottle: " + r);
        assertEquals(liveHeld, TestImages.labelled(liveId), "and left the live owner's alone");
        assertTrue(new BottleHome(home).state(crashedId).exists(), "the crashed bottle's state stays for resume");
        Bottles.cleanup(CleanupRequest.remove(), new BottleHome(home));
        assertTrue(new BottleHome(home).state(crashedId).isPreserved(), "and a full cleanup keeps it, marked");
        assertEquals(liveHeld, TestImages.labelled(liveId), "a full cleanup leaves the live owner's bottle alone too");
        // the crashed bottle resumes from its kept state on a runtime made anew
        BottleSpec again = BottleSpec.resuming(new BottleHome(home), crashedId)
                .manifest(OwnerProgram.manifest())
                .hostEnvironment(Map.of())
                .setting(DockerSettings.IMAGE, TestImages.agent())
                .setting(BundleLaunchSpec.IMAGE_SETTING, TestImages.bundle())
                .build();
        try (RunningBottle resumed =
                Bottles.using(new DockerBackend()).prepare(again).launch()) {
            assertEquals(crashedId, resumed.identity());
            assertEquals(0, resumed.exec("true").exitCode());
        }

        // SIGTERM is a normal exit: the shutdown hook closes the forgotten bottle and keeps its state
        live.destroy();
        assertTrue(live.waitFor(1, TimeUnit.MINUTES), "the program exits");
        assertEquals(Set.of(), TestImages.labelled(liveId), "the shutdown hook closed it: " + errors());
        assertTrue(new BottleHome(home).state(liveId).isPreserved(), "its state is kept for resume");
    }

    @Test
    void aProgramThatExitsWithoutClosingHasItsBottleClosedByTheShutdownHook() throws Exception {
        String id = launchedThenExited("exit");
        assertEquals(Set.of(), TestImages.labelled(id), "nothing of it is left on the engine");
        assertTrue(errors().contains("bottle " + id + " was not closed; closing it as the program exits"), errors());
        assertTrue(new BottleHome(home).state(id).isPreserved(), "its state is kept for resume");
    }

    @Test
    void aDetachedBottleOutlivesItsProgramAndCleanupUntilItIsStopped() throws Exception {
        String id = launchedThenExited("detach");
        Set<String> held = TestImages.labelled(id);
        assertEquals(4, held.size(), "the detached bottle outlives its program: " + errors());
        assertFalse(errors().contains("was not closed"), "no exit hook closed it");
        assertTrue(
                TestImages.engine().containers(Map.of("dev.bottles.identity", id)).stream()
                        .allMatch(c -> c.labels().getOrDefault(Owner.LABEL, "").startsWith(Owner.DETACHED)),
                "its resources say it is detached");
        Bottles.cleanup(CleanupRequest.remove(), new BottleHome(home));
        assertEquals(held, TestImages.labelled(id), "a running detached bottle is live for cleanup");
        Bottles.reach(id, new BottleHome(home)).stop(); // 'bottle stop <id>'
        assertEquals(Set.of(), TestImages.labelled(id), "stopping it removes it");
        assertTrue(new BottleHome(home).state(id).isPreserved(), "and keeps its state for resume");
    }
}
