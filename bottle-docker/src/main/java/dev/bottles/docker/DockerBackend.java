package dev.bottles.docker;

import dev.bottles.BottleException;
import dev.bottles.docker.internal.AgentImages;
import dev.bottles.docker.internal.DockerLaunch;
import dev.bottles.docker.internal.DockerWarmClaim;
import dev.bottles.docker.internal.FoundDockerBottle;
import dev.bottles.docker.internal.RuntimeProbe;
import dev.bottles.dockerengine.BundleImages;
import dev.bottles.dockerengine.DockerBundles;
import dev.bottles.dockerengine.DockerEngine;
import dev.bottles.dockerengine.LabelledCleanup;
import dev.bottles.dockerengine.Labels;
import dev.bottles.sidecars.AgentEnvironment;
import dev.bottles.sidecars.BundleImage;
import dev.bottles.sidecars.BundleLaunchSpec;
import dev.bottles.sidecars.Daemon;
import dev.bottles.sidecars.Endpoints;
import dev.bottles.sidecars.SidecarPlans;
import dev.bottles.spi.Availability;
import dev.bottles.spi.BackendBottle;
import dev.bottles.spi.BottleBackend;
import dev.bottles.spi.BottleEvents;
import dev.bottles.spi.BottlePlan;
import dev.bottles.spi.BottleSummary;
import dev.bottles.spi.CleanupReport;
import dev.bottles.spi.CleanupRequest;
import dev.bottles.spi.FoundBottle;
import dev.bottles.spi.PrepareRequest;
import dev.bottles.spi.Settings;
import dev.bottles.spi.Subnet;
import dev.bottles.spi.SubnetPool;
import dev.bottles.state.Owner;
import dev.bottles.state.SecureFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Runs bottles on a Docker engine through docker-java: a private internal network per bottle, the
 * sidecar bundle pinned at {@code .2} on it and joined to an outbound network, and the agent
 * container on the internal network only (gVisor's {@code runsc} when the engine has it and it
 * works; every capability dropped; {@code no-new-privileges}; a pids limit).
 *
 * <p>One client per backend instance, created on first use and shared by its bottles. The engine
 * is {@code DOCKER_HOST}, else the local socket.
 */
public final class DockerBackend implements BottleBackend {
    /** The backend's id. */
    public static final String ID = "docker";
    /** Preferred over backends of the default priority. */
    public static final int PRIORITY = 100;
    /** The most container-name suffixes tried, as the original's {@code MAX_CONTAINER_SUFFIX}. */
    public static final int MAX_CONTAINER_SUFFIX = 99;

    private final @Nullable String dockerHost;
    private final RuntimeProbe runtimes = new RuntimeProbe();
    private volatile @Nullable DockerEngine engine;

    /** Creates the backend for the engine {@code DOCKER_HOST} names (the constructor ServiceLoader uses). */
    public DockerBackend() {
        this(System.getenv(DockerSettings.DOCKER_HOST));
    }

    /**
     * Creates the backend for a given engine.
     *
     * @param dockerHost e.g. {@code unix:///var/run/docker.sock}, or null for the default
     */
    public DockerBackend(@Nullable String dockerHost) {
        this.dockerHost = dockerHost;
    }

    DockerBackend(DockerEngine engine) {
        this.dockerHost = null;
        this.engine = engine;
    }

    DockerEngine engine() {
        DockerEngine e = engine;
        if (e == null) {
            synchronized (this) {
                e = engine;
                if (e == null) {
                    e = DockerEngine.connect(dockerHost);
                    engine = e;
                }
            }
        }
        return e;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public Availability probe() {
        try {
            DockerEngine.EngineInfo info = engine().info();
            return Availability.available(
                            "Docker " + info.version() + " (API " + info.apiVersion() + ") at " + engine().host())
                    .withFact("engine", info.version())
                    .withFact("api", info.apiVersion())
                    .withFact("runtimes", String.join(",", info.runtimes()))
                    .withFact("gvisor", info.runtimes().contains(RuntimeProbe.RUNSC) ? "registered" : "absent")
                    .withFact("bundle", bundleFact(engine()))
                    .withFact("docker_desktop", Boolean.toString(info.dockerDesktop()));
        } catch (BottleException e) {
            return Availability.unavailable(String.valueOf(e.getMessage()));
        }
    }

    private static String bundleFact(DockerEngine engine) {
        String override = System.getenv(BundleLaunchSpec.IMAGE_SETTING);
        try {
            // cheap on purpose: backend selection probes; the SDK image's tag needs the bundle jar hashed
            BundleImage img = override != null && !override.isBlank()
                    ? BundleImages.describe(engine, new Settings(Map.of(), System.getenv()))
                    : new BundleImage(BundleImages.REPOSITORY, BundleImages.sdkDaemons());
            return img.reference() + " runs "
                    + (img.daemons() == null
                            ? "whatever it is asked"
                            : img.daemons().stream().map(Daemon::wireName).toList())
                    + (img.has(Daemon.PIPELOCK)
                            ? ""
                            : "; no pipelock (egress dials upstreams" + " directly; set "
                                    + BundleLaunchSpec.IMAGE_SETTING + " to an image with it)");
        } catch (BottleException ex) {
            return String.valueOf(ex.getMessage());
        }
    }

    @Override
    public BottlePlan prepare(PrepareRequest request) {
        DockerEngine e = engine();
        Settings s = request.settings();
        String id = request.identity();
        Path dockerfile = request.state().dockerfile();
        Path rebuilt = Files.isRegularFile(dockerfile) ? dockerfile : null;
        // an approved capability change is this bottle's newest image decision: it wins over the setting
        Map<String, String> build = bundleBuild(s);
        String userImage = s.get(DockerSettings.IMAGE).filter(v -> !v.isBlank()).orElse(null);
        String agentImage = userImage != null ? userImage : AgentImages.reference(build);
        String baseImage = rebuilt != null ? "claude-bottle-rebuilt-" + id : agentImage;
        String claudeVersion =
                userImage == null ? AgentImages.version(build) : AgentImages.recordedVersion(e, userImage);
        Path derivedFrom = request.spec().copyCwd() ? request.spec().userCwd() : null;
        String image = derivedFrom != null ? s.get(DockerSettings.DERIVED_IMAGE, "claude-bottle:cwd-" + id) : baseImage;

        String pinned = s.get(DockerSettings.CONTAINER).orElse(null);
        // a claimed warm member's containers are this bottle's: it is prepared into them
        Optional<String> warmAgent = request.state().isWarm()
                ? e.containers(Map.of(Labels.BACKEND, ID, Labels.IDENTITY, id, Labels.ROLE, Labels.AGENT)).stream()
                        .map(DockerEngine.ContainerRef::name)
                        .findFirst()
                : Optional.empty();
        String containerName =
                warmAgent.orElseGet(() -> pinned != null ? pinnedName(e, pinned) : freeName(e, "claude-bottle-" + id));
        String bundle = DockerBundles.bundleContainerName(id);
        if (warmAgent.isEmpty() && e.containerExists(bundle)) {
            throw new BottleException("sidecar bundle container '" + bundle + "' already exists: an orphan from a"
                    + " previous run. Clean it up with Bottles.cleanup(...) (or 'docker rm -f " + bundle
                    + "') and retry");
        }

        SidecarPlans sidecars = SidecarPlans.prepare(request, rebuilt != null ? read(rebuilt) : "");
        List<Subnet> subnets = SubnetPool.from(s).candidates(id, SubnetPool.DEFAULT_ATTEMPTS);
        List<Subnet> egressSubnets = SubnetPool.parse(s.get(DockerSettings.EGRESS_SUBNET_BASE, "10.213"))
                .candidates(id, SubnetPool.DEFAULT_ATTEMPTS);
        Map<String, String> agentEnv = AgentEnvironment.compose(
                sidecars, Endpoints.inBundle(subnets.get(0).bundleIp(), sidecars.bundle()), request.env());
        Path agentDir = request.state().agentDir();
        SecureFiles.writePrivate(agentDir.resolve("agent.env"), AgentEnvironment.envFile(agentEnv));
        Path prompt = agentDir.resolve("prompt.txt");
        SecureFiles.writePrivate(prompt, request.agent().prompt());

        Map<String, String> tokens = sidecars.bundleValues(request.hostEnvironment(), request.env());
        Map<String, Path> skills = new LinkedHashMap<>();
        for (String skill : request.agent().skills()) {
            skills.put(skill, s.skillsDir().resolve(skill));
        }
        RuntimeProbe.Choice runtime = runtimes.choose(e, s.get(DockerSettings.RUNTIME, "auto"), baseImage);
        String uid = s.get(DockerSettings.CONTAINER_UID, Integer.toString(AgentImages.UID))
                .strip();
        if (!uid.matches("[0-9]{1,9}")) {
            throw new BottleException(
                    DockerSettings.CONTAINER_UID + "=" + uid + " is not a uid; use a number such as 1000");
        }
        return new DockerBottlePlan(
                id,
                request.agent().name(),
                request.state().path(),
                new DockerBottlePlan.Images(image, baseImage, rebuilt, derivedFrom, claudeVersion),
                new DockerBottlePlan.Networks(
                        "claude-bottle-net-" + id, "claude-bottle-egress-" + id, subnets, egressSubnets),
                new DockerBottlePlan.Agent(
                        containerName,
                        pinned != null,
                        agentEnv,
                        s.get(DockerSettings.CONTAINER_HOME, "/home/node"),
                        s.get(DockerSettings.CONTAINER_USER, uid),
                        Integer.parseInt(uid),
                        skills,
                        prompt,
                        !request.agent().prompt().isEmpty()),
                new DockerBottlePlan.Bundle(BundleImages.describe(e, s), build, sidecars, tokens),
                new DockerBottlePlan.OciRuntime(runtime.runtime(), runtime.note()),
                request.env(),
                request.spec().detached());
    }

    static Map<String, String> bundleBuild(Settings s) {
        Map<String, String> m = new LinkedHashMap<>(DockerBundles.bundleBuildSettings(s));
        m.putAll(AgentImages.buildSettings(s));
        return m;
    }

    private static String read(Path f) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException ex) {
            throw new BottleException("cannot read the per-bottle Dockerfile " + f + " (" + ex + ")", ex);
        }
    }

    private static String pinnedName(DockerEngine e, String pinned) {
        if (e.containerExists(pinned)) {
            throw new BottleException(
                    "container '" + pinned + "' already exists (pinned via " + DockerSettings.CONTAINER
                            + "). Remove it with 'docker rm -f " + pinned + "' or unset the override");
        }
        return pinned;
    }

    private static String freeName(DockerEngine e, String base) {
        for (int i = 1; i <= MAX_CONTAINER_SUFFIX; i++) {
            String candidate = i == 1 ? base : base + "-" + i;
            if (!e.containerExists(candidate)) {
                return candidate;
            }
        }
        throw new BottleException("could not find a free container name after " + base + "-" + MAX_CONTAINER_SUFFIX
                + "; clean up old containers with Bottles.cleanup(...) or 'docker rm -f <name>'");
    }

    @Override
    public BackendBottle launch(BottlePlan plan, BottleEvents events) {
        return new DockerLaunch(engine(), own(plan), events).run();
    }

    /**
     * Returns the warm key: the engine, the agent's image, user and limits, the bundle's image and
     * daemons, the runtime and the subnet ranges. Empty for a bottle that copies the working
     * directory in, pins its container's name, or rebuilds its image (each makes the agent's
     * container its own).
     */
    @Override
    public Optional<String> warmKey(PrepareRequest request) {
        Settings s = request.settings();
        if (request.resumed()
                || request.spec().copyCwd()
                || s.get(DockerSettings.CONTAINER).isPresent()) {
            return Optional.empty();
        }
        DockerEngine e = engine();
        Map<String, String> build = bundleBuild(s);
        String agentImage =
                s.get(DockerSettings.IMAGE).filter(v -> !v.isBlank()).orElseGet(() -> AgentImages.reference(build));
        BundleImage bundleImage = BundleImages.describe(e, s);
        String daemons = bundleImage
                .effective(dev.bottles.sidecars.SidecarBundle.forBottle(request.bottle()))
                .daemonsCsv();
        String runtime = String.valueOf(runtimes.choose(e, s.get(DockerSettings.RUNTIME, "auto"), agentImage)
                .runtime());
        return Optional.of(String.join(
                "|",
                ID,
                e.host(),
                agentImage,
                bundleImage.reference(),
                daemons,
                runtime,
                s.get(DockerSettings.CONTAINER_UID, Integer.toString(AgentImages.UID))
                        .strip(),
                s.get(DockerSettings.CONTAINER_USER, ""),
                s.get(DockerSettings.CONTAINER_HOME, "/home/node"),
                dev.bottles.dockerengine.Limits.from(build).toString(),
                s.get(SubnetPool.SETTING, ""),
                s.get(DockerSettings.EGRESS_SUBNET_BASE, "")));
    }

    @Override
    public BackendBottle launchWarm(BottlePlan plan, BottleEvents events) {
        return new DockerLaunch(engine(), own(plan), events, true).run();
    }

    @Override
    public BackendBottle claimWarm(BackendBottle member, BottlePlan plan, BottleEvents events) {
        return DockerWarmClaim.run(engine(), member, own(plan), events);
    }

    private static DockerBottlePlan own(BottlePlan plan) {
        if (!(plan instanceof DockerBottlePlan p)) {
            throw new IllegalArgumentException("the docker backend launches only its own plans, not "
                    + plan.getClass().getName());
        }
        return p;
    }

    @Override
    public List<BottleSummary> list() {
        List<BottleSummary> out = new ArrayList<>();
        for (DockerEngine.ContainerRef c : engine().containers(Map.of(Labels.BACKEND, ID, Labels.ROLE, Labels.AGENT))) {
            String services = c.labels().getOrDefault(Labels.SERVICES, "");
            out.add(new BottleSummary(
                    c.labels().getOrDefault(Labels.IDENTITY, c.name()),
                    ID,
                    c.labels().get(Labels.AGENT_NAME),
                    services.isEmpty() ? List.of() : List.of(services.split(",")),
                    c.running() ? "running" : "stopped",
                    Owner.parse(c.labels().getOrDefault(Owner.LABEL, "")).orElse(null)));
        }
        return out;
    }

    @Override
    public Optional<FoundBottle> find(String identity, Map<String, String> forwarded) {
        return FoundDockerBottle.find(engine(), ID, identity, forwarded);
    }

    @Override
    public CleanupReport cleanup(CleanupRequest request) {
        return LabelledCleanup.run(engine(), ID, Set.of(), request);
    }
}
