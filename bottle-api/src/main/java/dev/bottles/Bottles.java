package dev.bottles;

import dev.bottles.internal.BackendSelector;
import dev.bottles.internal.HomeCleanup;
import dev.bottles.spi.BottleBackend;
import dev.bottles.spi.BottleSummary;
import dev.bottles.spi.CleanupReport;
import dev.bottles.spi.CleanupRequest;
import dev.bottles.state.BottleHome;
import dev.bottles.state.BottleMetadata;
import dev.bottles.state.StateDir;
import java.util.List;
import java.util.Objects;

/**
 * The entry point: prepares bottles on the backend chosen for them.
 *
 * <pre>{@code
 * Manifest manifest = Manifest.builder()
 *         .bottle(BottleDefinition.builder("dev").route(EgressRoute.to("api.example.com")).build())
 *         .agent(AgentDefinition.builder("researcher").bottle("dev").build())
 *         .build();
 * BottleSpec spec = BottleSpec.builder("researcher").manifest(manifest).build();
 * try (RunningBottle bottle = Bottles.prepare(spec).launch()) {
 *     ExecResult r = bottle.exec("echo", "hello from the bottle");
 *     System.out.println(r.stdout());
 * }
 * }</pre>
 *
 * <p>The backend is chosen, in order: {@link BottleSpec#backend()}; the system property
 * {@code bottle.backend}; the environment variable {@code BOTTLE_BACKEND} (or the original's
 * {@code CLAUDE_BOTTLE_BACKEND}); otherwise the available backend with the highest
 * {@code priority()}. Backends are found with {@link java.util.ServiceLoader}, afresh each time;
 * {@link #using(BottleBackend)} skips discovery.
 */
public final class Bottles {
    private Bottles() {}

    /**
     * Validates the spec against the host and resolves it into a plan on the chosen backend. Creates
     * the state dir and its files, and no runtime resource.
     *
     * @param spec what to run
     * @return the prepared bottle
     * @throws BackendUnavailableException when no backend can run it
     * @throws ManifestException when a definition is wrong or the host cannot satisfy it
     * @throws BottleException when the backend cannot make a plan
     */
    public static PreparedBottle prepare(BottleSpec spec) {
        Objects.requireNonNull(spec, "spec");
        return PrepareFlow.prepare(
                spec,
                () -> BackendSelector.standard()
                        .select(BackendSelector.requested(spec.backend(), spec.hostEnvironment())));
    }

    /**
     * Starts a warm pool: {@code size} bottles launched ahead of need on the backend the template
     * selects, which {@link #prepare(BottleSpec)} of any matching spec claims instead of launching
     * a bottle ({@link WarmPool} says what matches). Returns at once; the members come up in the
     * background ({@link WarmPool#awaitReady}). Close the pool to remove the members no bottle
     * claimed.
     *
     * @param template the spec members are made from: its backend, home and settings (images,
     *     runtime) and its agent's daemons; its routes, secrets and files never reach a member
     * @param size how many members to keep ready
     * @return the pool
     * @throws BottleException when the backend keeps no warm pool, or the template resumes a bottle
     *     or is detached
     */
    public static WarmPool warmPool(BottleSpec template, int size) {
        Objects.requireNonNull(template, "template");
        return WarmPool.start(
                template,
                size,
                BackendSelector.standard()
                        .select(BackendSelector.requested(template.backend(), template.hostEnvironment())));
    }

    /**
     * Returns a facade bound to one backend, skipping discovery and selection.
     *
     * @param backend the backend
     * @return the bound facade
     */
    public static PinnedBackend using(BottleBackend backend) {
        return new PinnedBackend(backend);
    }

    /**
     * Lists every backend on the classpath with its availability, highest priority first, then
     * each provider that failed to load.
     *
     * @return the statuses
     * @throws BottleException when two backends share an id
     */
    public static List<BackendStatus> backends() {
        return BackendSelector.standard().statuses();
    }

    /**
     * Lists the bottles every available backend has running.
     *
     * @return the bottles, backend by backend
     */
    public static List<BottleSummary> list() {
        return BackendSelector.standard().discover().backends().stream()
                .filter(b -> BackendSelector.probe(b).available())
                .flatMap(b -> b.list().stream())
                .toList();
    }

    /**
     * Reaches a bottle of a bottle home from outside the program that launched it, to attach to its
     * agent or stop it.
     *
     * @param identity the bottle's identity
     * @param home the bottle home holding its state
     * @return the bottle
     * @throws BottleException when the home holds no such bottle, or the backend that launched it is
     *     not on the class path
     */
    public static ReachedBottle reach(String identity, BottleHome home) {
        StateDir state = home.state(identity);
        if (!state.exists()) {
            throw new BottleException("no bottle '" + identity + "' in bottle home " + home.root() + ". 'bottle list'"
                    + " shows the running bottles; a bottle of another home is reached with --home <dir>");
        }
        String backendId = state.readMetadata()
                .map(BottleMetadata::backend)
                .orElseThrow(() -> new BottleException(
                        state.metadataFile() + " is missing or unreadable, so the backend of bottle " + identity
                                + " is unknown; 'bottle cleanup' removes what no running bottle owns"));
        for (BottleBackend b : BackendSelector.standard().discover().backends()) {
            if (b.id().equals(backendId)) {
                return new ReachedBottle(state, b);
            }
        }
        throw new BottleException("bottle " + identity + " was launched by backend '" + backendId + "', which is not"
                + " on this class path; add its jar to reach it");
    }

    /**
     * Removes what no running bottle owns, on every available backend, then the orphaned state
     * dirs of the default bottle home.
     *
     * @param request what to do
     * @return what was (or would be) removed
     * @see #cleanup(CleanupRequest, BottleHome)
     */
    public static CleanupReport cleanup(CleanupRequest request) {
        return cleanup(request, BottleHome.resolve(null, System.getenv()));
    }

    /**
     * Removes what no live bottle holds, on every available backend, then every state dir of
     * {@code home} that no live bottle holds (the original's {@code cleanup}). A bottle is live while
     * the program that owns it runs, on this host or another sharing the engine (see
     * {@link dev.bottles.state.Owner}), whether it is launching or running; a state dir is also
     * held by its {@code .preserve} marker. The state of a bottle whose owner died while it ran is
     * marked {@code .preserve} and kept for {@code resume}; the state of one that never came up is
     * removed.
     *
     * @param request what to do
     * @param home the bottle home whose state dirs are reaped
     * @return what was (or would be) removed
     */
    public static CleanupReport cleanup(CleanupRequest request, BottleHome home) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(home, "home");
        List<BottleBackend> available = BackendSelector.standard().discover().backends().stream()
                .filter(b -> BackendSelector.probe(b).available())
                .toList();
        return HomeCleanup.run(request, home, available);
    }
}
