package dev.bottles.sidecars;

import dev.bottles.ManifestException;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.spi.PrepareRequest;
import dev.bottles.spi.ResolvedEnv;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The four sidecar plans of one bottle and the bundle that runs them: what every backend's prepare
 * gets from one call to {@link #prepare(PrepareRequest, String)}.
 *
 * @param identity the bottle's identity
 * @param bundle the daemons the bundle runs
 * @param pipelock pipelock's plan
 * @param egress egress's plan
 * @param gitGate the git gate's plan, or null when the bottle declares no git upstream
 * @param supervise supervise's plan, or null when supervise is off
 * @param access the bottle's access credential, which the agent-facing daemons require
 * @param forwarded the names of the bottle's forwarded variables, whose values egress keeps from
 *     leaving except on a route that {@code carries} them
 */
public record SidecarPlans(
        String identity,
        SidecarBundle bundle,
        PipelockPlan pipelock,
        EgressPlan egress,
        @Nullable GitGatePlan gitGate,
        @Nullable SupervisePlan supervise,
        BundleAccess access,
        List<String> forwarded) {
    /** The prefix of the bundle variables holding the bottle's forwarded values, for egress's inspection. */
    public static final String DLP_ENV_PREFIX = "CLAUDE_BOTTLE_DLP_";

    /**
     * Validates the plans against the bundle.
     *
     * @param identity the bottle's identity
     * @param bundle the daemons
     * @param pipelock pipelock's plan
     * @param egress egress's plan
     * @param gitGate the git gate's plan, or null
     * @param supervise supervise's plan, or null
     * @param access the access credential
     * @param forwarded the forwarded variables' names
     */
    public SidecarPlans {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(access, "access");
        forwarded = List.copyOf(forwarded);
        Objects.requireNonNull(bundle, "bundle");
        Objects.requireNonNull(pipelock, "pipelock");
        Objects.requireNonNull(egress, "egress");
        if (bundle.runs(Daemon.GIT_GATE) != (gitGate != null) || bundle.runs(Daemon.SUPERVISE) != (supervise != null)) {
            throw new IllegalArgumentException("the plans do not match the bundle's daemons " + bundle.daemonsCsv());
        }
    }

    /**
     * Runs the four preparers for a bottle, writing their files under its state dir.
     *
     * @param request the prepare request
     * @param baseDockerfile the agent image's Dockerfile, for supervise's capability proposals; empty
     *     when unknown
     * @return the plans
     * @throws ManifestException when the bottle asks for what the host cannot give
     */
    public static SidecarPlans prepare(PrepareRequest request, String baseDockerfile) {
        return prepare(request, baseDockerfile, Clock.systemUTC());
    }

    /**
     * Runs the four preparers with a given clock for the CAs.
     *
     * @param request the prepare request
     * @param baseDockerfile the agent image's Dockerfile; empty when unknown
     * @param clock the clock CA validity starts from
     * @return the plans
     */
    public static SidecarPlans prepare(PrepareRequest request, String baseDockerfile, Clock clock) {
        BottleDefinition bottle = request.bottle();
        String id = request.identity();
        AgentEnvironment.checkReserved(bottle);
        SidecarBundle bundle = SidecarBundle.forBottle(bottle);
        Path anchors =
                request.settings().get(Egress.EXTRA_CA_SETTING).map(Path::of).orElse(null);
        EgressPlan egress = new Egress(clock)
                .prepare(
                        bottle,
                        id,
                        request.state().egressDir(),
                        request.hostEnvironment(),
                        anchors,
                        request.state().isWarm());
        PipelockPlan pipelock =
                new PipelockProxy(clock).prepare(bottle, id, request.state().pipelockDir());
        GitGatePlan gitGate = bundle.runs(Daemon.GIT_GATE)
                ? new GitGate().prepare(bottle, id, request.state().gitGateDir())
                : null;
        SupervisePlan supervise = bundle.runs(Daemon.SUPERVISE)
                ? new Supervise()
                        .prepare(
                                id,
                                request.state().superviseDir(),
                                request.home().queueDir(id),
                                baseDockerfile)
                : null;
        return new SidecarPlans(
                id,
                bundle,
                pipelock,
                egress,
                gitGate,
                supervise,
                BundleAccess.mint(),
                List.copyOf(request.env().forwardedNames()));
    }

    /**
     * Returns the values of the bundle's bare variables ({@link BundleLaunchSpec#environment()}): the
     * route tokens from the host, the bottle's forwarded values (which egress looks for in what
     * leaves, under {@value #DLP_ENV_PREFIX}{@code <NAME>}), and the access credential. Hand the
     * result to the engine call only; never log or print it.
     *
     * @param hostEnvironment the host environment
     * @param env the bottle's resolved environment
     * @return variable to value
     */
    public Map<String, String> bundleValues(Map<String, String> hostEnvironment, ResolvedEnv env) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String ref : egress.tokenEnv()) {
            String v = hostEnvironment.get(ref);
            if (v != null) {
                out.put(ref, v);
            }
        }
        env.forwardedValues().forEach((name, value) -> out.put(DLP_ENV_PREFIX + name, value));
        out.put(BundleAccess.ENV, access.token());
        return out;
    }

    /**
     * Returns variables with the access credential masked, for printing a plan.
     *
     * @param vars the variables
     * @return the same variables, {@code ***} where the credential was
     */
    public Map<String, String> masked(Map<String, String> vars) {
        Map<String, String> out = new LinkedHashMap<>();
        vars.forEach((k, v) -> out.put(k, v.replace(access.token(), "***")));
        return out;
    }

    /**
     * Returns what egress does not inspect, for the plan and the preflight: the hosts of routes
     * with {@code tls: passthrough}, whose tunnels egress splices without looking inside.
     *
     * @return the hosts, in route order
     */
    public List<String> uninspectedHosts() {
        return egress.config().routes().stream()
                .filter(r -> !r.inspected())
                .map(r -> r.host())
                .toList();
    }
}
