package dev.bottles.dockerengine;

import dev.bottles.BottleException;
import dev.bottles.sidecars.BundleLaunchSpec;
import dev.bottles.sidecars.Daemon;
import dev.bottles.sidecars.SidecarBundle;
import dev.bottles.state.SecureFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Creates and starts a sidecar bundle container from its launch spec; shared by both backends. */
public final class BundleLifecycle {
    private BundleLifecycle() {}

    /** The user the bundle runs as when the host user is root: no name, no home, nothing it owns but what it is handed. */
    public static final String NOBODY = "65532:65532";

    /**
     * Creates and starts a bundle; removes it again if it was created but did not start.
     *
     * @param engine the engine
     * @param spec the bundle
     * @param hostEnvironment values for bare names
     * @param moreNetworks networks to join before it starts
     * @param settings the limit settings ({@link Limits#from})
     * @return the container's id
     * @throws BottleException with the bundle's log tail when it does not start
     */
    public static String start(
            DockerEngine engine,
            BundleLaunchSpec spec,
            Map<String, String> hostEnvironment,
            List<String> moreNetworks,
            Map<String, String> settings) {
        return connectAndStart(engine, create(engine, spec, hostEnvironment, settings), moreNetworks);
    }

    /**
     * Creates a bundle container without starting it, locked down: every capability dropped,
     * {@code no-new-privileges}, a read-only root file system with tmpfs where it writes, pids and
     * memory limits, and a non-root user ({@link #user}).
     *
     * @param engine the engine
     * @param spec the bundle
     * @param hostEnvironment values for bare names
     * @param settings the limit settings ({@link Limits#from})
     * @return the container's id
     */
    public static String create(
            DockerEngine engine,
            BundleLaunchSpec spec,
            Map<String, String> hostEnvironment,
            Map<String, String> settings) {
        List<String> binds = new ArrayList<>();
        for (BundleLaunchSpec.Mount m : spec.volumes()) {
            binds.add(m.host() + ":" + m.container() + (m.readOnly() ? ":ro" : ":rw"));
        }
        Map<String, String> labels = new LinkedHashMap<>(spec.labels());
        labels.put(Labels.SERVICES, spec.daemonsCsv());
        Limits limits = Limits.from(settings);
        Map<String, String> tmpfs = new LinkedHashMap<>();
        tmpfs.put("/tmp", "rw,nosuid,nodev,noexec,size=64m,mode=1777");
        if (spec.daemonsCsv().contains(Daemon.GIT_GATE.wireName())) {
            // the gate's mirrors; tmpfs pages count against the memory limit, so big repositories need it raised
            tmpfs.put("/srv/git", "rw,nosuid,nodev,noexec,size=256m,mode=1777");
        }
        ContainerSpec.Hardening h =
                new ContainerSpec.Hardening(true, limits.bundlePids(), limits.bundleMemory(), user(spec), true, tmpfs);
        return engine.createContainer(ContainerSpec.builder(spec.containerName(), spec.image(), spec.networkName())
                .env(spec.resolveEnvironment(hostEnvironment))
                .labels(labels)
                .ipv4(spec.bundleIp())
                .hardening(h)
                .publishedPorts(spec.publishedPorts())
                .binds(binds)
                .build());
    }

    /**
     * Chooses the bundle's user: the owner of its mounted state (so it reads the 0600 CA key and
     * token-free configs it is given, and nobody else can), unless that owner is root; then
     * {@value #NOBODY}, and the mounted state is handed to it (files the host writes there later
     * follow the directory's owner).
     *
     * @param spec the bundle
     * @return {@code uid:gid}
     */
    static String user(BundleLaunchSpec spec) {
        if (spec.volumes().isEmpty()) {
            return NOBODY;
        }
        String owner = SecureFiles.owner(spec.volumes().get(0).host());
        if (owner != null && !owner.startsWith("0:")) {
            return owner;
        }
        if (owner != null) {
            for (BundleLaunchSpec.Mount m : spec.volumes()) {
                SecureFiles.handOver(m.host(), 65532, 65532);
            }
        }
        return NOBODY;
    }

    /**
     * Connects a created bundle to more networks and starts it; removes it if that fails.
     *
     * @param engine the engine
     * @param id the bundle container
     * @param moreNetworks the networks to join
     * @return the container's id
     * @throws BottleException with the bundle's log tail when it does not start
     */
    public static String connectAndStart(DockerEngine engine, String id, List<String> moreNetworks) {
        try {
            for (String n : moreNetworks) {
                engine.connect(id, n, List.of());
            }
            engine.start(id);
            return id;
        } catch (RuntimeException e) {
            String log = engine.logTail(id, 20);
            engine.removeContainer(id);
            throw new BottleException(e.getMessage() + (log.isEmpty() ? "" : "\nbundle log:\n" + log), e);
        }
    }

    /** The line a bundle prints once every daemon answers. */
    public static final String READY_MARKER = "\"event\":\"bundle-ready\"";
    /** The line a bundle prints when a daemon cannot start. */
    public static final String FAILED_MARKER = "\"event\":\"start-failed\"";

    /**
     * Waits until a started bundle reports every daemon ready (its {@value #READY_MARKER} log
     * line), instead of sleeping a fixed time.
     *
     * @param engine the engine
     * @param id the bundle container
     * @param timeout how long it may take
     * @return the container's id
     * @throws BottleException with the bundle's log tail when it fails, exits or takes too long
     */
    public static String awaitReady(DockerEngine engine, String id, Duration timeout) {
        return await(engine, id, READY_MARKER, timeout);
    }

    private static String await(DockerEngine engine, String id, String marker, Duration timeout) {
        DockerEngine.LogWait w = engine.awaitLogLine(id, marker, FAILED_MARKER, timeout);
        if (w == DockerEngine.LogWait.FOUND) {
            return id;
        }
        String log = engine.logTail(id, 20);
        throw new BottleException("the sidecar bundle "
                + (w == DockerEngine.LogWait.TIMED_OUT
                        ? "did not report ready" + " within " + timeout.toSeconds() + " s"
                        : "failed to start")
                + (log.isEmpty() ? "" : "; its log:\n" + log));
    }

    /**
     * Hands a warm bundle its bottle: the environment a cold bundle of {@code spec} gets at
     * creation, its secrets among them, written to {@value SidecarBundle#AWAIT_FILE} in the egress
     * directory the bundle has mounted, private to the bundle's user, whole (renamed into place).
     * The files the bottle's prepare wrote into the mounted directories are handed to that user
     * too. Remove the file with {@link #retractClaim} once the bundle is ready.
     *
     * @param spec the bottle's bundle spec
     * @param values the host values the spec's bare entries take (route tokens, secret values)
     * @param egressDir the egress directory on the host
     * @throws BottleException when a value is missing or the file cannot be written
     */
    public static void deliverClaim(BundleLaunchSpec spec, Map<String, String> values, Path egressDir) {
        StringBuilder sb = new StringBuilder();
        for (String e : spec.resolveEnvironment(values)) {
            if (e.indexOf('\n') >= 0 || e.indexOf('\r') >= 0) {
                throw new BottleException("bundle variable " + e.substring(0, e.indexOf('='))
                        + " holds a newline, which a warm bundle's claim cannot carry");
            }
            sb.append(e).append('\n');
        }
        String user = user(spec);
        Path tmp = egressDir.resolve("." + SidecarBundle.AWAIT_FILE + ".tmp");
        SecureFiles.writePrivate(tmp, sb.toString());
        String writer = SecureFiles.owner(tmp);
        if (writer != null && writer.startsWith("0:") && !user.startsWith("0:")) {
            // the host runs as root: what the bottle's prepare wrote as root goes to the bundle's user
            int uid = Integer.parseInt(user.substring(0, user.indexOf(':')));
            int gid = Integer.parseInt(user.substring(user.indexOf(':') + 1));
            for (BundleLaunchSpec.Mount m : spec.volumes()) {
                SecureFiles.handOver(m.host(), uid, gid);
            }
        }
        try {
            Files.move(tmp, egressDir.resolve(SidecarBundle.AWAIT_FILE), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new BottleException("cannot hand the warm bundle its claim in " + egressDir + " (" + e + ")", e);
        }
    }

    /**
     * Removes a warm bundle's claim from the host: the bundle read it when it started.
     *
     * @param egressDir the egress directory on the host
     */
    public static void retractClaim(Path egressDir) {
        try {
            Files.deleteIfExists(egressDir.resolve(SidecarBundle.AWAIT_FILE));
            Files.deleteIfExists(egressDir.resolve("." + SidecarBundle.AWAIT_FILE + ".tmp"));
        } catch (IOException e) {
            throw new BottleException("cannot remove the warm bundle's claim from " + egressDir + " (" + e + ")", e);
        }
    }

    /** The line a warm bundle logs once it waits for its claim. */
    public static final String WARM_MARKER = "\"event\":\"bundle-warm\"";

    /**
     * Waits for a warm pool member's bundle to wait for its claim.
     *
     * @param engine the engine
     * @param id the bundle container
     * @param timeout how long at most
     * @return the container id
     * @throws BottleException when it failed or timed out, with its log's tail
     */
    public static String awaitWarm(DockerEngine engine, String id, Duration timeout) {
        return await(engine, id, WARM_MARKER, timeout);
    }

    /**
     * Waits until a bundle's egress has loaded a routes file with the given digest (its
     * {@code routes-reloaded} line), so a route is live when this returns.
     *
     * @param engine the engine
     * @param bundle the bundle container
     * @param digest the digest {@link dev.bottles.sidecars.Egress#allow} returned
     * @throws BottleException when egress rejects the file or does not load it within 15 s
     */
    public static void awaitRoutes(DockerEngine engine, String bundle, String digest) {
        DockerEngine.LogWait w = engine.awaitLogLine(
                bundle, "\"sha256\":\"" + digest + "\"", "\"event\":\"routes-reload-failed\"", Duration.ofSeconds(15));
        if (w != DockerEngine.LogWait.FOUND) {
            throw new BottleException("egress in " + bundle + " did not load the new routes (" + w + "); its log:\n"
                    + engine.logTail(bundle, 10));
        }
    }
}
