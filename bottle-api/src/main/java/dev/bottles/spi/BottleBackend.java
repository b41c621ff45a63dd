package dev.bottles.spi;

import dev.bottles.BottleLaunchException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A runtime that can run bottles: Docker, smolmachines, or your own.
 *
 * <p>Register an implementation with one line in
 * {@code META-INF/services/dev.bottles.spi.BottleBackend}; it needs a public no-argument
 * constructor. One instance serves many bottles, possibly from several threads, so keep
 * per-bottle state in plans and running bottles, not in fields.
 *
 * <p>The facade ({@code dev.bottles.Bottles}) does everything backends share before calling
 * {@link #prepare}: it selects the backend, validates the definitions against the host, resolves
 * the environment (asking for secrets), mints or checks the identity, and creates the state dir.
 * After {@code prepare} it writes {@code metadata.json}; after a failed launch it removes a fresh
 * state dir; and it owns the teardown rule ({@code .preserve}) for the state dir.
 */
public interface BottleBackend {

    /**
     * Returns the backend's unique id, used to choose it explicitly.
     *
     * @return e.g. {@code docker}; lower case, {@code [a-z][a-z0-9-]*}
     */
    String id();

    /**
     * Returns how strongly this backend is preferred when none is chosen explicitly; the highest
     * available one wins.
     *
     * @return the priority; 0 by default
     */
    default int priority() {
        return 0;
    }

    /**
     * Checks, quickly and without creating anything, whether this backend can run bottles here.
     * Called once per selection; cache expensive findings.
     *
     * @return whether it is available, and why not
     */
    Availability probe();

    /**
     * Resolves everything the launch needs into an immutable plan: names, files under the state
     * dir, sidecar configs. Must create no runtime resource (no network, container or VM); probes
     * and reads are fine.
     *
     * @param request the validated request
     * @return the plan
     * @throws dev.bottles.BottleException when the plan cannot be made; the message names the fix
     */
    BottlePlan prepare(PrepareRequest request);

    /**
     * Creates the runtime resources of a plan this backend made and starts the bottle.
     *
     * <p>On any failure, removes what this launch created, newest first, then throws
     * {@link BottleLaunchException} naming the step. Report each step through {@code events}.
     *
     * @param plan a plan returned by this backend's {@link #prepare}
     * @param events where to report each launch step
     * @return the backend's handle on the running bottle; the facade wraps it in the user's
     *     {@code RunningBottle} and owns the state dir
     * @throws BottleLaunchException when a step fails
     */
    BackendBottle launch(BottlePlan plan, BottleEvents events);

    /**
     * Lists the bottles of this backend that have runtime resources now, found by label.
     *
     * @return one summary per bottle
     */
    List<BottleSummary> list();

    /**
     * Finds one of this backend's bottles running now by identity, for an operator outside the
     * program that launched it (attach to its agent, or stop it when that program no longer
     * answers). The default finds nothing: such a backend's bottles are stopped through their
     * launching program only.
     *
     * @param identity the bottle's identity
     * @param forwarded the values the launching program forwards into the bottle's commands (empty
     *     when it does not answer); add them to every command's environment, never to anything
     *     that outlives the command
     * @return the bottle, or empty when this backend runs no bottle of that identity
     */
    default Optional<FoundBottle> find(String identity, Map<String, String> forwarded) {
        return Optional.empty();
    }

    /**
     * Tells whether this backend's bottles can outlive the process that launched them, as
     * containers and VMs do. When they can, the facade keeps a reaper running for the bottle home,
     * which removes them through {@link #cleanup} when their owner dies ({@code docs/decisions/0011}).
     * A backend whose bottles live and die with the process, such as an in-memory fake, returns
     * false, and no reaper process is started for it.
     *
     * @return true by default
     */
    default boolean bottlesOutliveTheirOwner() {
        return true;
    }

    /**
     * Returns what a bottle prepared from this request must share with a warm pool member to be
     * launched in it: for example its agent image, bundle image, runtime and daemons. Computed
     * before the bottle is prepared, so it reads and writes nothing of the request's state. Empty
     * (the default) means the bottle always launches cold; a backend returning a key must
     * implement {@link #launchWarm} and {@link #claimWarm}. Rules: {@code docs/backends.md}.
     *
     * @param request the request, whose state dir may not exist yet
     * @return the key, or empty
     */
    default Optional<String> warmKey(PrepareRequest request) {
        return Optional.empty();
    }

    /**
     * Launches a warm pool member from a plan prepared from the pool's template into a state dir
     * {@linkplain dev.bottles.state.StateDir#markWarm() marked warm}: everything of a bottle that
     * is up and running (its networks, a started sidecar bundle and agent, the agent trusting the
     * egress CA) and nothing of the bottle that will claim it: no routes beyond the template's, no
     * secret, no files, no environment.
     *
     * @param plan the member's plan
     * @param events where steps are reported
     * @return the member, whose {@code close} removes it
     * @throws BottleLaunchException when it fails, after removing what it created
     */
    default BackendBottle launchWarm(BottlePlan plan, BottleEvents events) {
        throw new UnsupportedOperationException(id() + " has no warm pool");
    }

    /**
     * Turns a claimed member into the bottle a plan describes: the plan was prepared into the
     * member's state dir under its identity, with the same {@link #warmKey}. Delivers what
     * {@link #launch} would have put in at creation (the bundle's routes, tokens and environment,
     * the agent's files and environment) and returns once the bottle is as ready as a cold one.
     *
     * @param member the member {@link #launchWarm} returned
     * @param plan the bottle's plan
     * @param events where steps are reported
     * @return the running bottle
     * @throws BottleLaunchException when it fails; the caller closes the member
     */
    default BackendBottle claimWarm(BackendBottle member, BottlePlan plan, BottleEvents events) {
        throw new UnsupportedOperationException(id() + " has no warm pool");
    }

    /**
     * Removes runtime resources of this backend that no running bottle owns (or reports them, on a
     * dry run), found by label. State dirs are the facade's job.
     *
     * @param request what to do
     * @return what was (or would be) removed, and what could not be
     */
    CleanupReport cleanup(CleanupRequest request);
}
