package dev.bottles.internal;

import dev.bottles.BottleException;
import dev.bottles.Bottles;
import dev.bottles.spi.BottleBackend;
import dev.bottles.spi.CleanupReport;
import dev.bottles.spi.CleanupRequest;
import dev.bottles.state.BottleHome;
import dev.bottles.state.Owner;
import dev.bottles.state.SecureFiles;
import dev.bottles.state.StateDir;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The reaper of one bottle home: a small process of its own, started by {@link Reaper}, that every
 * {@link #TICK} reads the owners of the home's bottles and removes, through the backends' own
 * cleanup scoped to those bottles, every bottle whose owner died (on this host: its process is gone;
 * on another: its lease ran out). A crashed bottle's state is kept for {@code resume}, as
 * {@link Bottles#cleanup} keeps it; a never-launched one's is removed. A detached bottle is its own
 * once launched. It holds {@code reaper/lock} while it runs, so one runs per home, and exits when
 * the home has had no live owner for {@link #IDLE}, or the home is gone. It opens no socket: no
 * agent can reach it.
 */
public final class ReaperMain {
    /** How often the reaper looks at the owners. */
    static final Duration TICK = Duration.ofSeconds(1);
    /** How long the reaper stays without a live owner in its home. */
    static final Duration IDLE = Duration.ofSeconds(20);
    /** When it looks at a reaped bottle once more, for what its dead owner's last requests made. */
    static final Duration RECHECK = Duration.ofSeconds(4);
    /** How long it waits before trying a failed removal again. */
    static final Duration RETRY = Duration.ofSeconds(5);

    private static final long LOG_LIMIT = 1 << 20;

    private final BottleHome home;
    private final PrintStream log;
    private final Map<String, String> handled = new HashMap<>();
    private final Map<String, Instant> recheck = new HashMap<>();
    private final Set<String> rechecksExpired = new HashSet<>();
    private Instant lastLive;
    private Instant retryAt = Instant.EPOCH;
    private @Nullable List<BottleBackend> available;

    ReaperMain(BottleHome home, PrintStream log, Instant now) {
        this.home = home;
        this.log = log;
        this.lastLive = now;
    }

    /**
     * Runs the reaper of a bottle home until it is idle.
     *
     * @param args the bottle home's root
     */
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: ReaperMain <bottle home>");
            System.exit(2);
        }
        Path root = Path.of(args[0]);
        int code = run(new BottleHome(root));
        // the engine client's threads must not keep an idle reaper alive
        System.exit(code);
    }

    private static int run(BottleHome home) {
        Path lock = lockFile(home.root());
        try {
            SecureFiles.createPrivateDirectories(dir(home.root()));
            trimLog(dir(home.root()).resolve("log"));
            try (FileChannel ch = FileChannel.open(
                    lock,
                    Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(SecureFiles.PRIVATE_FILE))) {
                FileLock held = ch.tryLock();
                if (held == null) {
                    return 0; // another reaper watches this home
                }
                SecureFiles.writePrivate(
                        dir(home.root()).resolve("pid"), ProcessHandle.current().pid() + "\n");
                ReaperMain reaper = new ReaperMain(home, System.out, Instant.now());
                reaper.say("reaper " + ProcessHandle.current().pid() + " watches " + home.root());
                reaper.backends(); // connected before it is needed
                while (reaper.tick(Instant.now())) {
                    Thread.sleep(TICK.toMillis());
                }
                reaper.say("reaper " + ProcessHandle.current().pid() + " exits: no live owner left");
                return 0;
            }
        } catch (IOException | BottleException e) {
            System.out.println(Instant.now() + " reaper cannot run: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /**
     * Returns the directory holding a home's reaper files.
     *
     * @param root the bottle home
     * @return {@code reaper/}
     */
    static Path dir(Path root) {
        return root.resolve("reaper");
    }

    /**
     * Returns the file a home's running reaper holds locked.
     *
     * @param root the bottle home
     * @return {@code reaper/lock}
     */
    static Path lockFile(Path root) {
        return dir(root).resolve("lock");
    }

    private static void trimLog(Path log) throws IOException {
        if (Files.isRegularFile(log) && Files.size(log) > LOG_LIMIT) {
            Files.writeString(log, "", StandardOpenOption.TRUNCATE_EXISTING);
        }
    }

    /**
     * Looks at the home once and reaps what died.
     *
     * @param now the time
     * @return false when the reaper should exit
     */
    boolean tick(Instant now) {
        if (!Files.isDirectory(home.root())) {
            return false;
        }
        Set<String> doomed = new TreeSet<>();
        Set<String> expired = new HashSet<>();
        Map<String, String> owners = new HashMap<>();
        boolean anyLive = false;
        for (StateDir s : home.states()) {
            Optional<Owner> owner = s.owner();
            if (owner.isEmpty()) {
                continue;
            }
            if (!s.ownerGone(now)) {
                anyLive |= !s.isPreserved();
                continue;
            }
            if (s.isDetached() && s.wasLaunched()) {
                continue; // its own once launched: kept until it is stopped or cleaned up
            }
            String label = owner.get().label();
            if (!label.equals(handled.get(s.identity()))) {
                doomed.add(s.identity());
                owners.put(s.identity(), label);
                if (!owner.get().onThisHost()) {
                    expired.add(s.identity());
                }
            }
        }
        // a request the dead owner sent just before it died may still create a resource: look again
        for (Map.Entry<String, Instant> again : List.copyOf(recheck.entrySet())) {
            if (!now.isBefore(again.getValue()) && !doomed.contains(again.getKey())) {
                doomed.add(again.getKey());
                owners.put(again.getKey(), handled.getOrDefault(again.getKey(), "?"));
                if (rechecksExpired.contains(again.getKey())) {
                    expired.add(again.getKey());
                }
            }
        }
        if (!doomed.isEmpty() && !now.isBefore(retryAt)) {
            reap(doomed, expired, owners, now);
        }
        if (anyLive || !doomed.isEmpty() || !recheck.isEmpty()) {
            lastLive = now;
        }
        return Duration.between(lastLive, now).compareTo(IDLE) < 0;
    }

    private void reap(Set<String> doomed, Set<String> expired, Map<String, String> owners, Instant now) {
        CleanupReport r;
        long t0 = System.nanoTime();
        if (backends().isEmpty()) {
            say("no backend answers; trying again in " + RETRY.toSeconds() + " s");
            retryAt = Instant.now().plus(RETRY);
            available = null;
            return;
        }
        try {
            r = HomeCleanup.run(CleanupRequest.remove().within(doomed).expiring(expired), home, backends());
        } catch (RuntimeException e) {
            say("reaping " + doomed + " failed: " + e.getMessage());
            retryAt = Instant.now().plus(RETRY);
            available = null; // found again next time: an engine may have come or gone
            return;
        }
        for (String id : doomed) {
            if (!recheck.containsKey(id)) {
                say("owner " + owners.get(id) + " of bottle " + id + " is gone");
            }
        }
        r.removed().forEach(x -> say("removed " + x));
        if (!r.removed().isEmpty()) {
            say("reaped " + doomed + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        }
        r.failed().forEach(x -> say("could not remove " + x));
        if (r.failed().isEmpty()) {
            for (String id : doomed) {
                if (recheck.remove(id) == null) {
                    handled.put(id, owners.get(id));
                    recheck.put(id, now.plus(RECHECK));
                    if (expired.contains(id)) {
                        rechecksExpired.add(id);
                    }
                } else {
                    rechecksExpired.remove(id);
                }
            }
        } else {
            retryAt = Instant.now().plus(RETRY);
            available = null;
        }
    }

    /** The available backends, found once and kept with their engine connections while they work. */
    private List<BottleBackend> backends() {
        List<BottleBackend> b = available;
        if (b == null) {
            b = BackendSelector.standard().discover().backends().stream()
                    .filter(x -> BackendSelector.probe(x).available())
                    .toList();
            available = b;
        }
        return b;
    }

    private void say(String line) {
        log.println(Instant.now() + " " + line);
        log.flush();
    }
}
