package dev.bottles.internal;

import dev.bottles.state.BottleHome;
import dev.bottles.state.Owner;
import dev.bottles.state.SecureFiles;
import dev.bottles.state.StateDir;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;

/**
 * The owner's side of the reaper: from the moment a program prepares a bottle, it renews that
 * bottle's lease every {@link Owner#LEASE_RENEWAL} and keeps one reaper process running for the
 * bottle home ({@link ReaperMain}), starting it again when it was killed. The reaper outlives the
 * program, so it removes the program's bottles when the program dies without closing them.
 *
 * <p>{@code BOTTLE_REAPER=off} (or {@code -Dbottle.reaper=off}) turns it off for a program that
 * reaps by other means.
 */
public final class Reaper {
    /** The setting that turns the reaper off. */
    public static final String SETTING = "BOTTLE_REAPER";

    private static final Set<String> PASSED = Set.of(
            "PATH",
            "HOME",
            "USER",
            "LOGNAME",
            "LANG",
            "LC_ALL",
            "TMPDIR",
            "HOSTNAME",
            "XDG_RUNTIME_DIR",
            "XDG_CACHE_HOME",
            "SMOLVM",
            "DOCKER_HOST",
            "DOCKER_TLS_VERIFY",
            "DOCKER_CERT_PATH",
            "DOCKER_CONFIG",
            "DOCKER_CONTEXT",
            "DOCKER_API_VERSION");
    private static final Pattern SETTING_NAME = Pattern.compile("(CLAUDE_)?BOTTLE_[A-Z0-9_]+");
    private static final Pattern SECRET_NAME = Pattern.compile(".*(TOKEN|SECRET|KEY|PASSWORD|CREDENTIAL|DLP).*");
    /** A spawned reaper gets this long to take its lock before another is started. */
    private static final long SPAWN_GRACE_NANOS = TimeUnit.SECONDS.toNanos(3);

    private static final System.Logger LOG = System.getLogger(Reaper.class.getName());
    private static final Map<Path, Map<String, String>> HOMES = new ConcurrentHashMap<>();
    private static final Map<Path, Long> SPAWNED = new ConcurrentHashMap<>();
    private static final Set<Path> WARNED = ConcurrentHashMap.newKeySet();
    private static final Map<Path, Process> STARTED = new ConcurrentHashMap<>();
    private static final Map<Path, Integer> FAILURES = new ConcurrentHashMap<>();
    private static final Map<Path, Long> NEXT_TRY = new ConcurrentHashMap<>();
    private static final long FIRST_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.MINUTES.toNanos(10);
    private static @org.jspecify.annotations.Nullable String classPath;
    private static @org.jspecify.annotations.Nullable ScheduledExecutorService renewer;

    private Reaper() {}

    /**
     * Watches a bottle home this program just prepared a bottle in: renews the leases of its
     * bottles there and keeps the home's reaper running while it has any.
     *
     * @param home the bottle home
     * @param environment the program's host environment, whose engine settings the reaper uses
     */
    public static void watch(BottleHome home, Map<String, String> environment) {
        if (disabled(environment)) {
            return;
        }
        Path root = home.root().toAbsolutePath().normalize();
        HOMES.putIfAbsent(root, passedEnvironment(environment));
        // off the caller's path: starting a JVM takes longer than a prepare should wait
        startRenewer().execute(() -> tendQuietly(root));
    }

    /**
     * Tells whether the reaper is turned off.
     *
     * @param environment the host environment
     * @return whether {@value #SETTING} or {@code bottle.reaper} says off
     */
    static boolean disabled(Map<String, String> environment) {
        String v = System.getProperty("bottle.reaper", environment.getOrDefault(SETTING, "on"));
        return Set.of("off", "false", "0", "no").contains(v.strip().toLowerCase(Locale.ROOT));
    }

    private static synchronized ScheduledExecutorService startRenewer() {
        ScheduledExecutorService running = renewer;
        if (running != null) {
            return running;
        }
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bottles-lease");
            t.setDaemon(true);
            return t;
        });
        long period = Owner.LEASE_RENEWAL.toMillis();
        s.scheduleAtFixedRate(() -> HOMES.keySet().forEach(Reaper::tendQuietly), period, period, TimeUnit.MILLISECONDS);
        renewer = s;
        return s;
    }

    private static void tendQuietly(Path root) {
        try {
            tend(root);
        } catch (RuntimeException e) {
            // the next round tries again; the bottles work without a reaper
            if (WARNED.add(root)) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "cannot start the reaper of " + root + " (" + e.getMessage() + "); a crash of this program"
                                + " would leave its bottles until 'bottle cleanup'");
            }
        }
    }

    /** Renews this program's leases in one home, and starts its reaper when none runs. */
    private static void tend(Path root) {
        Instant now = Instant.now();
        boolean owns = false;
        for (StateDir s : new BottleHome(root).states()) {
            if (!s.isPreserved() && s.owner().filter(Owner.current()::equals).isPresent()) {
                owns |= s.renewLease(now);
            }
        }
        Map<String, String> env = HOMES.get(root);
        if (!owns || env == null) {
            HOMES.remove(root);
            return;
        }
        ensureRunning(root, env);
    }

    /**
     * Starts the home's reaper unless one holds its lock, or one was started moments ago.
     *
     * @param root the bottle home
     * @param environment what the reaper's environment holds
     * @return whether one was started
     */
    static boolean ensureRunning(Path root, Map<String, String> environment) {
        return ensureRunning(root, environment, cachedClassPath());
    }

    /**
     * Starts the home's reaper with a given class path, unless one runs, one was started moments
     * ago, or the last ones failed to start (then it waits longer each time, from 30 s to 10 min,
     * and warns once: a program whose class path cannot start the reaper must not start a JVM every
     * round).
     */
    static synchronized boolean ensureRunning(Path root, Map<String, String> environment, String classPath) {
        Long last = SPAWNED.get(root);
        long now = System.nanoTime();
        Process previous = STARTED.get(root);
        if (previous != null && !previous.isAlive() && previous.exitValue() != 0 && !ran(root, previous)) {
            STARTED.remove(root);
            int failures = FAILURES.merge(root, 1, Integer::sum);
            long wait = Math.min(MAX_BACKOFF_NANOS, FIRST_BACKOFF_NANOS << Math.min(failures - 1, 5));
            NEXT_TRY.put(root, now + wait);
            if (WARNED.add(root)) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "the reaper of " + root + " failed to start (exit " + previous.exitValue() + "; see "
                                + ReaperMain.dir(root).resolve("log") + "); a crash of this program would leave its"
                                + " bottles until 'bottle cleanup'");
            }
        }
        Long next = NEXT_TRY.get(root);
        if (next != null && now - next < 0) {
            return false;
        }
        if (last != null && now - last < SPAWN_GRACE_NANOS) {
            return false;
        }
        if (isRunning(root)) {
            FAILURES.remove(root);
            return false;
        }
        STARTED.put(root, spawn(root, environment, classPath));
        SPAWNED.put(root, now);
        return true;
    }

    /** Tells whether a reaper process got as far as holding the lock (it then wrote its pid). */
    private static boolean ran(Path root, Process p) {
        try {
            return Files.readString(ReaperMain.dir(root).resolve("pid")).strip().equals(Long.toString(p.pid()));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Tells whether a reaper holds the home's lock.
     *
     * @param root the bottle home
     * @return whether one runs
     */
    static boolean isRunning(Path root) {
        Path lock = ReaperMain.lockFile(root);
        if (!Files.exists(lock)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) {
                return true;
            }
            l.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true; // this JVM checks it on another thread this moment
        } catch (IOException e) {
            return false;
        }
    }

    private static Process spawn(Path root, Map<String, String> environment, String classPath) {
        Path dir = SecureFiles.createPrivateDirectories(ReaperMain.dir(root));
        Path log = dir.resolve("log");
        try {
            if (!Files.exists(log)) {
                Files.createFile(log, PosixFilePermissions.asFileAttribute(SecureFiles.PRIVATE_FILE));
            }
            List<String> command = new ArrayList<>();
            setsid().ifPresent(command::add); // its own session: a terminal's ^C to the program leaves it
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(List.of(
                    "-Xmx64m",
                    "-Xss512k",
                    "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1",
                    "-XX:-UsePerfData",
                    ReaperMain.class.getName(),
                    root.toString()));
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectErrorStream(true);
            pb.environment().clear();
            pb.environment().putAll(environment);
            pb.environment().put("CLASSPATH", classPath);
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the reaper of " + root, e);
        }
    }

    private static Optional<String> setsid() {
        for (String p : List.of("/usr/bin/setsid", "/bin/setsid")) {
            if (Files.isExecutable(Path.of(p))) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * Returns what the reaper's environment holds of the program's: the engine's and the SDK's
     * settings, never a secret (no name with TOKEN, SECRET, KEY, PASSWORD, CREDENTIAL or DLP).
     *
     * @param environment the program's host environment
     * @return the reaper's environment
     */
    static Map<String, String> passedEnvironment(Map<String, String> environment) {
        Map<String, String> out = new LinkedHashMap<>();
        environment.forEach((k, v) -> {
            boolean wanted = PASSED.contains(k) || SETTING_NAME.matcher(k).matches();
            if (wanted && !SECRET_NAME.matcher(k).matches()) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static synchronized String cachedClassPath() {
        String cp = classPath;
        if (cp == null) {
            cp = classPath();
            classPath = cp;
        }
        return cp;
    }

    /**
     * Returns this JVM's class path with every jar's manifest {@code Class-Path} spelled out, so a
     * launcher's manifest-only jar (Maven Surefire's, a temporary file) is not needed by the reaper.
     *
     * @return the class path
     */
    static String classPath() {
        Set<String> out = new LinkedHashSet<>();
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            Path p = Path.of(entry).toAbsolutePath();
            out.add(p.toString());
            if (entry.endsWith(".jar") && Files.isRegularFile(p)) {
                out.addAll(manifestClassPath(p));
            }
        }
        return String.join(File.pathSeparator, out);
    }

    private static List<String> manifestClassPath(Path jar) {
        try (JarFile j = new JarFile(jar.toFile())) {
            Manifest m = j.getManifest();
            String cp = m == null ? null : m.getMainAttributes().getValue("Class-Path");
            if (cp == null) {
                return List.of();
            }
            List<String> out = new ArrayList<>();
            URI base = jar.toUri();
            for (String ref : cp.trim().split("\\s+")) {
                try {
                    out.add(Path.of(base.resolve(ref)).toString());
                } catch (IllegalArgumentException e) {
                    // not a file: keep what resolves
                }
            }
            return out;
        } catch (IOException e) {
            return List.of();
        }
    }
}
