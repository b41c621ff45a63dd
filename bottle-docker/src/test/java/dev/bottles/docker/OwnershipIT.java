package dev.bottles.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.RunningBottle;
import dev.bottles.docker.testimages.TestImages;
import dev.bottles.spi.CleanupReport;
import dev.bottles.spi.CleanupRequest;
import dev.bottles.state.BottleHome;
import dev.bottles.state.Owner;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Bottles belong to the program that launched them, each in a JVM of its own as users run them:
 * another program's cleanup, looping the whole time, never removes a bottle whose owner lives
 * (launching or running), removes what a {@code kill -9}ed owner left, and a program that exits
 * without closing its bottle has it closed by the shutdown hook, its state kept.
 */
class OwnershipIT extends AgainstOneHome {

    /** Runs a program that launches its bottle and exits by itself; returns the bottle's identity. */
    private String launchedThenExited(String mode) throws Exception {
        OwnerPrograms.Program p = programs.start(mode);
        String id = programs.launched(p);
        assertTrue(p.process.waitFor(1, TimeUnit.MINUTES), "the program exits");
        assertEquals(0, p.process.exitValue(), errors());
        return id;
    }

    private String errors() throws Exception {
        return programs.errors();
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
        // no reaper here: this is what 'bottle cleanup' does on its own
        OwnerPrograms.Program live = programs.start("hold", "-Dbottle.reaper=off");
        OwnerPrograms.Program crashing = programs.start("hold", "-Dbottle.reaper=off");
        String liveId = programs.launched(live);
        String crashedId = programs.launched(crashing);
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

        crashing.kill();
        assertEquals(4, TestImages.labelled(crashedId).size(), "a crashed owner leaves its bottle behind");
        CleanupReport r = cleanup();
        assertEquals(Set.of(), TestImages.labelled(crashedId), "cleanup removed the crashed owner's bottle: " + r);
        assertEquals(liveHeld, TestImages.labelled(liveId), "and left the live owner's alone");
        assertTrue(new BottleHome(home).state(crashedId).exists(), "the crashed bottle's state stays for resume");
        Bottles.cleanup(CleanupRequest.remove(), new BottleHome(home));
        assertTrue(new BottleHome(home).state(crashedId).isPreserved(), "and a full cleanup keeps it, marked");
        assertEquals(liveHeld, TestImages.labelled(liveId), "a full cleanup leaves the live owner's bottle alone too");
        // the crashed bottle resumes from its kept state on a runtime made anew
        BottleSpec again = resuming(crashedId);
        try (RunningBottle resumed =
                Bottles.using(new DockerBackend()).prepare(again).launch()) {
            assertEquals(crashedId, resumed.identity());
            assertEquals(0, resumed.exec("true").exitCode());
        }

        // SIGTERM is a normal exit: the shutdown hook closes the forgotten bottle and keeps its state
        live.process.destroy();
        assertTrue(live.process.waitFor(1, TimeUnit.MINUTES), "the program exits");
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
