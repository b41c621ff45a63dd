package dev.bottles.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.RunningBottle;
import dev.bottles.docker.testimages.TestImages;
import dev.bottles.state.BottleHome;
import dev.bottles.state.StateDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The reaper removes a {@code kill -9}ed program's bottle within its bound with no cleanup call,
 * keeps its state for resume, and comes back when it is killed itself.
 */
class ReaperIT extends AgainstOneHome {
    /** The bound the reaper promises between an owner's death and its bottle's removal. */
    static final Duration BOUND = Duration.ofSeconds(10);

    /** Waits until the engine holds nothing of a bottle; returns how long that took. */
    static Duration gone(String identity, Duration limit) throws InterruptedException {
        long t0 = System.nanoTime();
        while (!TestImages.labelled(identity).isEmpty()) {
            if (System.nanoTime() - t0 > limit.toNanos()) {
                throw new AssertionError("still there after " + limit + ": " + TestImages.labelled(identity));
            }
            Thread.sleep(100);
        }
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    private Optional<ProcessHandle> reaper() {
        try {
            return ProcessHandle.of(Long.parseLong(
                            Files.readString(home.resolve("reaper/pid")).strip()))
                    .filter(ProcessHandle::isAlive);
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private ProcessHandle awaitReaper(long notPid) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<ProcessHandle> r = reaper().filter(p -> p.pid() != notPid);
            if (r.isPresent()) {
                return r.get();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no reaper runs for " + home);
    }

    @Test
    void aKilledPoolOwnersMembersAndClaimedBottleAreReapedWithThem() throws Exception {
        TestImages.removeAtExitIfNew(dev.bottles.dockerengine.BundleImages.describe(
                        TestImages.engine(), new dev.bottles.spi.Settings(java.util.Map.of(), java.util.Map.of()))
                .reference());
        OwnerPrograms.Program owner = programs.start("pool");
        Set<String> members =
                Set.of(owner.await("MEMBERS ", Duration.ofMinutes(5)).split(","));
        String claimed = programs.launched(owner);
        assertTrue(members.contains(claimed), claimed + " came from the pool " + members);
        assertEquals(2, members.size(), members.toString());

        owner.kill();
        java.util.Set<String> all = new java.util.TreeSet<>(members);
        try (var states = Files.list(home.resolve("state"))) {
            states.map(d -> d.getFileName().toString()).forEach(all::add); // a refill under way, too
        }
        for (String id : all) {
            Duration delay = gone(id, BOUND.multipliedBy(2));
            System.out.println("REAPER pool member " + id + " gone within " + delay.toMillis() + " ms of the first");
        }
        StateDir kept = new BottleHome(home).state(claimed);
        long t0 = System.nanoTime();
        while (!kept.isPreserved() && System.nanoTime() - t0 < BOUND.toNanos()) {
            Thread.sleep(50);
        }
        assertTrue(kept.isPreserved(), "the claimed bottle's state is kept for resume, as any bottle's");
        for (String id : all) {
            if (!id.equals(claimed)) {
                t0 = System.nanoTime();
                while (new BottleHome(home).state(id).exists() && System.nanoTime() - t0 < BOUND.toNanos()) {
                    Thread.sleep(50);
                }
                assertTrue(!new BottleHome(home).state(id).exists(), "an unclaimed member leaves no state: " + id);
            }
        }
    }

    @Test
    void aKilledProgramsBottleIsReapedWithinTheBoundAndItsKeptStateResumes() throws Exception {
        OwnerPrograms.Program crashing = programs.start("hold");
        String id = programs.launched(crashing);
        assertEquals(4, TestImages.labelled(id).size());
        ProcessHandle reaper = awaitReaper(-1);
        assertTrue(
                reaper.info().commandLine().orElse("").contains("ReaperMain"),
                "a reaper process of its own: " + reaper.info());

        crashing.kill();
        long t0 = System.nanoTime();
        Duration delay = gone(id, BOUND);
        System.out.println("REAPER delay_ms=" + delay.toMillis() + " (owner killed -> last resource gone)");
        StateDir state = new BottleHome(home).state(id);
        while (!state.isPreserved() && System.nanoTime() - t0 < BOUND.toNanos()) {
            Thread.sleep(50); // the engine's part goes first, then the state is marked
        }
        assertTrue(state.isPreserved(), "its state is kept for resume");
        assertTrue(reaper.isAlive(), "the reaper outlives the program that started it");

        BottleSpec again = resuming(id);
        try (RunningBottle resumed =
                Bottles.using(new DockerBackend()).prepare(again).launch()) {
            assertEquals(id, resumed.identity());
            assertEquals(0, resumed.exec("true").exitCode());
            Thread.sleep(2_000); // a few of the reaper's rounds: the resumed bottle's owner lives
            assertEquals(4, TestImages.labelled(id).size(), "the reaper leaves a live owner's bottle alone");
        }
    }

    @Test
    void aKilledReaperIsStartedAgainByTheLivingOwnerAndStillReaps() throws Exception {
        OwnerPrograms.Program owner = programs.start("hold");
        String id = programs.launched(owner);
        ProcessHandle first = awaitReaper(-1);
        first.destroyForcibly();
        first.onExit().get();
        long t0 = System.nanoTime();
        ProcessHandle second = awaitReaper(first.pid());
        System.out.println(
                "REAPER restarted_ms=" + (System.nanoTime() - t0) / 1_000_000 + " (reaper killed -> new one)");
        assertNotEquals(first.pid(), second.pid());
        assertEquals(4, TestImages.labelled(id).size(), "the bottle is untouched meanwhile");

        owner.kill();
        Duration delay = gone(id, BOUND);
        System.out.println("REAPER delay_ms=" + delay.toMillis() + " (by the restarted reaper)");
        assertEquals(Set.of(), TestImages.labelled(id));
    }

    @Test
    void aReaperTouchesOnlyTheBottlesOfItsOwnHome() throws Exception {
        Path other = Files.createDirectories(home.resolve("other-home"));
        try (OwnerPrograms elsewhere = new OwnerPrograms(other)) {
            // a program of another bottle home, with no reaper of its own, dies
            OwnerPrograms.Program crashed = elsewhere.start("hold", "-Dbottle.reaper=off");
            String theirs = elsewhere.launched(crashed);
            crashed.kill();
            // while this home's reaper watches a live program of its own
            String mine = programs.launched(programs.start("hold"));
            awaitReaper(-1);
            Thread.sleep(3_000); // three of the reaper's rounds
            assertEquals(4, TestImages.labelled(theirs).size(), "another home's dead bottle is not this reaper's");
            assertEquals(4, TestImages.labelled(mine).size());
            // it is 'bottle cleanup' of that home, or its own reaper, that removes it
            Bottles.cleanup(dev.bottles.spi.CleanupRequest.remove(), new BottleHome(other));
            assertEquals(Set.of(), TestImages.labelled(theirs));
            assertEquals(4, TestImages.labelled(mine).size(), "and that cleanup leaves a live owner's bottle alone");
        }
    }
}
