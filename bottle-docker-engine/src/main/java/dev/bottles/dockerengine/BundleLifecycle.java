package dev.bottles.dockerengine;

import dev.bottles.BottleException;
import dev.bottles.sidecars.BundleLaunchSpec;
import dev.bottles.sidecars.Daemon;
import dev.bottles.state.SecureFiles;
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
        DockerEngine.LogWait w = engine.awaitLogLine(id, READY_MARKER, FAILED_MARKER, timeout);
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
