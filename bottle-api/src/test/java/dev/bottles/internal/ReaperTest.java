package dev.bottles.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.state.BottleHome;
import dev.bottles.state.Owner;
import dev.bottles.state.SecureFiles;
import dev.bottles.state.StateDir;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reaper of a bottle home judges each state by its owner: a dead one's bottle is reaped (its
 * state kept when it had launched), a live one's, a detached launched one's and a fresh foreign
 * lease's never; it leaves when idle or when its home is gone; a real reaper process starts once
 * per home, again after it is killed, and its environment carries no secret.
 */
class ReaperTest {
    private static final Owner DEAD = new Owner(Owner.localHost(), Long.MAX_VALUE, Instant.ofEpochMilli(1));
    private static final Owner FOREIGN = new Owner("another-host.example", 7, Instant.ofEpochMilli(1));

    @TempDir
    Path root;

    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();

    private StateDir state(String id, Owner owner, boolean detached, boolean launched) {
        StateDir s = new BottleHome(root).state(id);
        s.create();
        s.writeOwner(owner, detached);
        if (launched) {
            s.markLaunched();
        }
        return s;
    }

    private ReaperMain reaper(Instant start) {
        return new ReaperMain(new BottleHome(root), new PrintStream(logged, true, StandardCharsets.UTF_8), start);
    }

    @Test
    void aDeadOwnersBottleIsReapedItsLaunchedStateKeptAndALiveOwnersLeftAlone() {
        StateDir crashed = state("crashed", DEAD, false, true);
        StateDir halfway = state("halfway", DEAD, false, false);
        StateDir mine = state("mine", Owner.current(), false, true);
        StateDir detached = state("detached", DEAD, true, true);
        StateDir stale = state("stale", FOREIGN, false, true);
        StateDir fresh = state("fresh", FOREIGN, false, true);
        Instant now = Instant.now();
        stale.renewLease(now.minus(Owner.LEASE_TERM).minusSeconds(1));
        fresh.renewLease(now.minusSeconds(2));

        assertTrue(reaper(now).tick(now), "a live owner keeps the reaper");

        assertTrue(crashed.isPreserved(), "a crashed bottle's state is kept for resume");
        assertFalse(halfway.exists(), "a bottle that never came up leaves no state");
        assertTrue(stale.isPreserved(), "a foreign owner whose lease ran out is gone");
        assertTrue(mine.exists() && !mine.isPreserved(), "a live owner's bottle is not touched");
        assertTrue(detached.exists() && !detached.isPreserved(), "a launched detached bottle is its own");
        assertTrue(fresh.exists() && !fresh.isPreserved(), "a fresh lease keeps a foreign owner");
        String log = logged.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("owner " + DEAD.label() + " of bottle crashed is gone"), log);
        assertTrue(log.contains("removed state " + halfway.path()), log);
    }

    @Test
    void itLeavesWhenNoOwnerLivesForTheIdleTimeOrItsHomeIsGone() {
        Instant start = Instant.now();
        state("crashed", DEAD, false, true);
        ReaperMain r = reaper(start);
        assertTrue(r.tick(start), "it reaps first");
        Instant rechecked = start.plus(ReaperMain.RECHECK);
        assertTrue(r.tick(rechecked), "and looks once more for what the dead owner's last requests made");
        assertTrue(r.tick(rechecked.plus(ReaperMain.IDLE).minusSeconds(1)));
        assertFalse(r.tick(rechecked.plus(ReaperMain.IDLE).plusSeconds(1)), "then nothing is left to watch");

        state("mine", Owner.current(), false, false);
        ReaperMain watching = reaper(start);
        assertTrue(watching.tick(start.plus(ReaperMain.IDLE).plusSeconds(5)), "a live owner keeps it");
        SecureFiles.deleteRecursively(root);
        assertFalse(watching.tick(start.plus(ReaperMain.IDLE).plusSeconds(6)), "a removed home ends it");
    }

    @Test
    void theLeaseIsRenewedInPlaceAndAForeignOwnerIsJudgedByIt() {
        StateDir s = state("leased", FOREIGN, false, true);
        Instant now = Instant.now();
        assertFalse(s.ownerGone(now), "a lease written with the owner");
        assertTrue(s.ownerGone(now.plus(Owner.LEASE_TERM).plusSeconds(1)), "runs out after its term");
        assertTrue(s.renewLease(now.plus(Owner.LEASE_TERM)));
        assertFalse(s.ownerGone(now.plus(Owner.LEASE_TERM).plusSeconds(1)), "and a renewal extends it");
        SecureFiles.deleteRecursively(s.path());
        assertFalse(s.renewLease(now), "a renewal never recreates a removed state");
        assertFalse(Files.exists(s.path()));
    }

    @Test
    void itsEnvironmentCarriesTheEngineAndTheSettingsButNoSecret() {
        Map<String, String> passed = Reaper.passedEnvironment(Map.of(
                "PATH", "/usr/bin",
                "DOCKER_HOST", "unix:///run/docker.sock",
                "BOTTLE_SMOLVM_CACHE", "/c",
                "CLAUDE_BOTTLE_IMAGE", "img",
                "CLAUDE_BOTTLE_OAUTH_TOKEN", "t",
                "BOTTLE_SECRET_GH", "s",
                "ANTHROPIC_API_KEY", "k",
                "GITHUB_TOKEN", "g",
                "CLAUDE_BOTTLE_DLP_PATTERN", "d"));
        assertEquals(
                Map.of(
                        "PATH", "/usr/bin",
                        "DOCKER_HOST", "unix:///run/docker.sock",
                        "BOTTLE_SMOLVM_CACHE", "/c",
                        "CLAUDE_BOTTLE_IMAGE", "img"),
                passed);
    }

    @Test
    void itsClassPathSpellsOutAManifestOnlyJar() throws Exception {
        Path lib = Files.createDirectories(root.resolve("lib"));
        Path jar = root.resolve("booter.jar");
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes()
                .put(
                        Attributes.Name.CLASS_PATH,
                        "lib/a.jar " + lib.resolve("b.jar").toUri());
        try (OutputStream o = Files.newOutputStream(jar);
                JarOutputStream j = new JarOutputStream(o, m)) {
            j.flush();
        }
        String saved = System.getProperty("java.class.path");
        try {
            System.setProperty("java.class.path", jar.toString());
            assertEquals(
                    List.of(
                            jar.toString(),
                            lib.resolve("a.jar").toString(),
                            lib.resolve("b.jar").toString()),
                    List.of(Reaper.classPath().split(File.pathSeparator)));
        } finally {
            System.setProperty("java.class.path", saved);
        }
    }

    @Test
    void oneReaperProcessRunsPerHomeAndAKilledOneIsStartedAgain() throws Exception {
        StateDir crashed = state("crashed", DEAD, false, true);
        state("mine", Owner.current(), false, false);
        Map<String, String> env = Reaper.passedEnvironment(System.getenv());
        assertTrue(Reaper.ensureRunning(root, env), "the first call starts it");
        ProcessHandle reaper = waitFor(this::pid, "the reaper holds its lock");
        assertFalse(Reaper.ensureRunning(root, env), "one runs already");
        waitFor(() -> Optional.of(reaper).filter(r -> crashed.isPreserved()), "it reaps the dead owner's bottle");
        assertEquals("rw-------", mode(root.resolve("reaper/log")));
        assertEquals("rwx------", mode(root.resolve("reaper")));

        reaper.destroyForcibly();
        reaper.onExit().get();
        Thread.sleep(3100); // past the grace given to a reaper just started
        assertFalse(Reaper.isRunning(root), "a killed reaper releases its lock");
        assertTrue(Reaper.ensureRunning(root, env), "the next call starts it again");
        ProcessHandle again = waitFor(() -> pid().filter(p -> p.pid() != reaper.pid()), "a new one");
        assertTrue(again.isAlive());

        SecureFiles.deleteRecursively(root);
        assertTrue(again.onExit().get(10, TimeUnit.SECONDS) != null, "a removed home ends it");
    }

    private Optional<ProcessHandle> pid() {
        try {
            Path f = root.resolve("reaper/pid");
            if (!Reaper.isRunning(root) || !Files.exists(f)) {
                return Optional.empty();
            }
            return ProcessHandle.of(Long.parseLong(Files.readString(f).strip()));
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private static <T> T waitFor(Supplier<Optional<T>> probe, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<T> v = probe.get();
            if (v.isPresent()) {
                return v.get();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out: " + what);
    }

    @Test
    void aReaperThatCannotStartIsNotStartedAgainEveryRound() throws Exception {
        state("mine", Owner.current(), false, false);
        Map<String, String> env = Reaper.passedEnvironment(System.getenv());
        String noClasses = root.resolve("no-such.jar").toString();
        assertTrue(Reaper.ensureRunning(root, env, noClasses), "it is tried");
        Thread.sleep(3100); // the JVM finds no main class and exits; the grace for a fresh start passes
        assertFalse(Reaper.isRunning(root));
        assertFalse(Reaper.ensureRunning(root, env, noClasses), "a failed start is not repeated at once");
        assertFalse(Reaper.ensureRunning(root, env, noClasses), "nor on the next round");
        assertTrue(Files.readString(root.resolve("reaper/log")).contains("ReaperMain"), "its log says what went wrong");
    }
}
