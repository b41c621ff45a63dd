package dev.bottles.dockerengine;

import dev.bottles.BottleException;
import dev.bottles.sidecars.BundleImage;
import dev.bottles.sidecars.BundleLaunchSpec;
import dev.bottles.sidecars.SidecarBundle;
import dev.bottles.spi.CleanupReport;
import dev.bottles.spi.CleanupRequest;
import dev.bottles.spi.Settings;
import dev.bottles.spi.Subnet;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The sidecar bundle's lifecycle on a Docker engine (the seeds' {@code sidecar_bundle} API), shared
 * by the docker and smolmachines backends. Creating a network that exists, removing what is missing
 * and stopping a bundle that is gone are all success; other create/start failures are errors,
 * other remove/stop failures are logged.
 */
public final class DockerBundles implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DockerBundles.class.getName());

    private final DockerEngine engine;
    private final boolean owned;

    private DockerBundles(DockerEngine engine, boolean owned) {
        this.engine = engine;
        this.owned = owned;
    }

    /**
     * Connects to the engine at {@code DOCKER_HOST} (the local socket by default).
     *
     * @param dockerHost the engine's address, or null for the default
     * @return the primitives; close them when done
     * @throws BottleException when the engine does not answer
     */
    public static DockerBundles connect(@Nullable String dockerHost) {
        return new DockerBundles(DockerEngine.connect(dockerHost), true);
    }

    /**
     * Uses an engine the caller keeps, and closes (a test's recording fake, say).
     *
     * @param engine the engine
     * @return the primitives; closing them leaves the engine open
     */
    public static DockerBundles over(DockerEngine engine) {
        return new DockerBundles(engine, false);
    }

    /**
     * Returns the bundle network's name on smolmachines.
     *
     * @param identity the bottle's identity
     * @return {@code claude-bottle-bundle-<identity>}
     */
    public static String bundleNetworkName(String identity) {
        return "claude-bottle-bundle-" + identity;
    }

    /**
     * Returns the bundle container's name.
     *
     * @param identity the bottle's identity
     * @return {@code claude-bottle-sidecars-<identity>}
     */
    public static String bundleContainerName(String identity) {
        return SidecarBundle.containerName(identity);
    }

    /**
     * Creates a bundle network with a pinned subnet; one of that name that exists is success.
     *
     * @param name the network's name
     * @param subnet its subnet (gateway {@code .1})
     * @param labels its labels
     * @return the network's id
     * @throws BottleException when the engine refuses (a {@code Pool overlaps} refusal included)
     */
    public String createBundleNetwork(String name, Subnet subnet, Map<String, String> labels) {
        return engine.createNetwork(name, subnet, false, labels);
    }

    /**
     * Creates a bundle network on the first candidate subnet no other network overlaps.
     *
     * @param name the network's name
     * @param candidates subnets to try, in order
     * @param labels its labels
     * @return the subnet it got
     * @throws BottleException when every candidate overlaps or the engine refuses
     */
    public Subnet createBundleNetwork(String name, List<Subnet> candidates, Map<String, String> labels) {
        BottleException last = null;
        for (Subnet s : candidates) {
            try {
                engine.createNetwork(name, s, false, labels);
                return s;
            } catch (DockerEngine.PoolOverlapException e) {
                last = e;
            }
        }
        throw new BottleException(
                "every candidate subnet for " + name + " overlaps another network (tried "
                        + candidates.size()
                        + "); remove stale networks with Bottles.cleanup(...) or move the range with"
                        + " BOTTLE_SUBNET_BASE",
                last);
    }

    /**
     * Removes the bundles and networks a backend labelled whose bottle is not live.
     *
     * @param backendId the backend's id ({@code dev.bottles.backend})
     * @param live identities to keep
     * @param request what to do, and which bottles it may touch
     * @return what was (or would be) removed, and what could not be
     */
    public CleanupReport cleanup(String backendId, Set<String> live, CleanupRequest request) {
        return LabelledCleanup.run(engine, backendId, live, request);
    }

    /**
     * Tells which bundles of a backend exist, by identity.
     *
     * @param backendId the backend's id
     * @return identity to whether its bundle runs
     */
    public Map<String, Boolean> bundles(String backendId) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        for (DockerEngine.ContainerRef c :
                engine.containers(Map.of("dev.bottles.backend", backendId, "dev.bottles.role", "bundle"))) {
            out.put(c.labels().getOrDefault("dev.bottles.identity", c.name()), c.running());
        }
        return out;
    }

    /**
     * Removes a bundle network; a missing one is success, a failure is logged.
     *
     * @param name the network's name
     */
    public void removeBundleNetwork(String name) {
        try {
            engine.removeNetwork(name);
        } catch (BottleException e) {
            LOG.log(Level.WARNING, e.getMessage());
        }
    }

    /**
     * Creates and starts a bundle: pinned at the spec's bundle IP on its network, environment
     * {@code NAME=value} plus bare names valued from {@code hostEnvironment}, read-only mounts,
     * agent-facing ports published on {@code 127.0.0.1}, the spec's labels.
     *
     * @param spec the bundle
     * @param hostEnvironment where bare names get their values
     * @param moreNetworks further networks to connect it to before it starts (the docker backend's
     *     way out)
     * @return the container's id
     * @throws BottleException when it cannot be created or started; a container created before the
     *     failure is removed
     */
    public String startBundle(BundleLaunchSpec spec, Map<String, String> hostEnvironment, List<String> moreNetworks) {
        return startBundle(spec, hostEnvironment, moreNetworks, Map.of());
    }

    /**
     * Creates and starts a bundle with limits from settings ({@link EngineSettings#BUNDLE_MEMORY},
     * {@link EngineSettings#BUNDLE_PIDS}; {@link #bundleBuildSettings} carries them).
     *
     * @param spec the bundle
     * @param hostEnvironment where bare names get their values
     * @param moreNetworks further networks to connect it to before it starts
     * @param settings the limit settings
     * @return the container's id
     * @throws BottleException when it cannot be created or started
     */
    public String startBundle(
            BundleLaunchSpec spec,
            Map<String, String> hostEnvironment,
            List<String> moreNetworks,
            Map<String, String> settings) {
        return BundleLifecycle.start(engine, spec, hostEnvironment, moreNetworks, settings);
    }

    /**
     * Returns the host port a bundle's container port is published on.
     *
     * @param identity the bottle's identity
     * @param containerPort the container port
     * @return the host port on 127.0.0.1
     * @throws BottleException when the port is not published (internal networks drop published
     *     ports silently)
     */
    public int bundleHostPort(String identity, int containerPort) {
        return engine.hostPort(bundleContainerName(identity), containerPort)
                .orElseThrow(() -> new BottleException("port " + containerPort + " of bundle "
                        + bundleContainerName(identity) + " is not published; it"
                        + " must be published at start, and on a network that is not internal"));
    }

    /**
     * Says which bundle image a bottle uses and what daemons it has, without building anything
     * ({@value dev.bottles.sidecars.BundleLaunchSpec#IMAGE_SETTING} or the SDK's own image).
     *
     * @param settings the bottle's settings
     * @return the image
     * @throws BottleException when an overriding image is not on the engine
     */
    public BundleImage describeBundleImage(Settings settings) {
        return BundleImages.describe(engine, settings);
    }

    /**
     * Returns the settings the SDK's bundle image is built with (recipe, JRE base, readiness bound),
     * for a plan to carry.
     *
     * @param settings the bottle's settings
     * @return the subset launch needs
     */
    public static Map<String, String> bundleBuildSettings(Settings settings) {
        Map<String, String> m = settings.subset(List.of(
                EngineSettings.BUNDLE_RECIPE,
                EngineSettings.BUNDLE_JRE_BASE,
                EngineSettings.BUNDLE_READY_SECONDS,
                EngineSettings.BUNDLE_MEMORY,
                EngineSettings.BUNDLE_PIDS,
                EngineSettings.AGENT_MEMORY,
                EngineSettings.AGENT_PIDS));
        Limits.from(m); // a malformed limit fails prepare, naming the setting
        return m;
    }

    /**
     * Builds the SDK's bundle image when the engine lacks it.
     *
     * @param image the image {@link #describeBundleImage} chose
     * @param buildSettings {@link #bundleBuildSettings}
     * @param progress receives build output lines
     * @return true when it was built now
     */
    public boolean ensureBundleImage(BundleImage image, Map<String, String> buildSettings, Consumer<String> progress) {
        return BundleImages.ensure(engine, image, new Settings(buildSettings, Map.of()), progress);
    }

    /**
     * Waits until a started bundle reports its daemons ready.
     *
     * @param identity the bottle's identity
     * @param buildSettings {@link #bundleBuildSettings} (the readiness bound)
     * @throws BottleException with the bundle's log when it fails or takes too long
     */
    public void awaitBundleReady(String identity, Map<String, String> buildSettings) {
        BundleLifecycle.awaitReady(
                engine,
                bundleContainerName(identity),
                Duration.ofSeconds(
                        Long.parseLong(buildSettings.getOrDefault(EngineSettings.BUNDLE_READY_SECONDS, "60"))));
    }

    /**
     * Waits until a bundle's egress has loaded the routes file with the given digest.
     *
     * @param identity the bottle's identity
     * @param digest the digest {@link dev.bottles.sidecars.Egress#allow} returned
     */
    public void awaitRoutes(String identity, String digest) {
        BundleLifecycle.awaitRoutes(engine, bundleContainerName(identity), digest);
    }

    /**
     * Removes a bundle; a missing one is success, a failure is logged.
     *
     * @param identity the bottle's identity
     */
    public void stopBundle(String identity) {
        try {
            engine.removeContainer(bundleContainerName(identity));
        } catch (BottleException e) {
            LOG.log(Level.WARNING, e.getMessage());
        }
    }

    /**
     * Returns the last lines of a bundle's log.
     *
     * @param identity the bottle's identity
     * @param lines how many
     * @return the lines, or empty
     */
    public String logTail(String identity, int lines) {
        return engine.logTail(bundleContainerName(identity), lines);
    }

    @Override
    public void close() {
        if (owned) {
            engine.close();
        }
    }
}
