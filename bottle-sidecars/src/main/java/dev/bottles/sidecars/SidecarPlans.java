package dev.bottles.sidecars;

import dev.bottles.ManifestException;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.spi.PrepareRequest;
import java.time.Clock;
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
 */
public record SidecarPlans(String identity, SidecarBundle bundle, PipelockPlan pipelock, EgressPlan egress,
        @Nullable GitGatePlan gitGate, @Nullable SupervisePlan supervise) {

    /**
     * Validates the plans against the bundle.
     *
     * @param identity the bottle's identity
     * @param bundle the daemons
     * @param pipelock pipelock's plan
     * @param egress egress's plan
     * @param gitGate the git gate's plan, or null
     * @param supervise supervise's plan, or null
     */
    public SidecarPlans {
        Objects.requireNonNull(identity, "identity");
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
        java.nio.file.Path anchors = request.settings().get(Egress.EXTRA_CA_SETTING).map(java.nio.file.Path::of)
                .orElse(null);
        EgressPlan egress = new Egress(clock).prepare(bottle, id, request.state().egressDir(), request.hostEnvironment(),
                anchors);
        PipelockPlan pipelock = new PipelockProxy(clock).prepare(bottle, id, request.state().pipelockDir());
        GitGatePlan gitGate = bundle.runs(Daemon.GIT_GATE)
                ? new GitGate().prepare(bottle, id, request.state().gitGateDir()) : null;
        SupervisePlan supervise = bundle.runs(Daemon.SUPERVISE)
                ? new Supervise().prepare(id, request.state().superviseDir(), request.home().queueDir(id), baseDockerfile)
                : null;
        return new SidecarPlans(id, bundle, pipelock, egress, gitGate, supervise);
    }
}
