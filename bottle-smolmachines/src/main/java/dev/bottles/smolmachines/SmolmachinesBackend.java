package dev.bottles.smolmachines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bottles.BottleException;
import dev.bottles.dockerengine.DockerBundles;
import dev.bottles.sidecars.SidecarPlans;
import dev.bottles.smolmachines.internal.PackCache;
import dev.bottles.smolmachines.internal.SmolLaunch;
import dev.bottles.smolmachines.internal.SmolvmCli;
import dev.bottles.spi.Availability;
import dev.bottles.spi.BackendBottle;
import dev.bottles.spi.BottleBackend;
import dev.bottles.spi.BottleEvents;
import dev.bottles.spi.BottlePlan;
import dev.bottles.spi.BottleSummary;
import dev.bottles.spi.CleanupReport;
import dev.bottles.spi.CleanupRequest;
import dev.bottles.spi.PrepareRequest;
import dev.bottles.spi.Settings;
import dev.bottles.spi.SubnetPool;
import dev.bottles.state.Owner;
import dev.bottles.state.SecureFiles;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Runs the agent in a {@code smolvm} microVM and its sidecar bundle in Docker, with the bundle's
 * agent-facing ports published on the host's 127.0.0.1. The VM's egress allowlist admits only the
 * host gateway ({@code 100.96.0.1} on smolvm ≥ 1.9's virtio-net, where allowlists are enforced;
 * {@code 127.0.0.1} on older TSI builds), through which the guest dials the published ports.
 *
 * <p>{@code smolvm} is {@code SMOLVM}, else {@code smolvm} on {@code PATH}; Docker is
 * {@code DOCKER_HOST}, else the local socket.
 */
public final class SmolmachinesBackend implements BottleBackend {
    /** The backend's id. */
    public static final String ID = "smolmachines";
    /** Below docker's, so discovery prefers docker where both work. */
    public static final int PRIORITY = 50;

    private static final Pattern VERSION = Pattern.compile("smolvm\\s+(\\d+)\\.(\\d+)(?:\\.(\\d+))?");
    private static final Duration QUICK = Duration.ofSeconds(30);

    private final @Nullable String dockerHost;
    private volatile @Nullable DockerBundles bundles;
    private volatile @Nullable String lastBinary;
    /** {@code smolvm --version} per binary, read once per backend: probe and every prepare ask it. */
    private final Map<String, String> versions = new ConcurrentHashMap<>();

    /** Creates the backend (the constructor ServiceLoader uses). */
    public SmolmachinesBackend() {
        this(System.getenv("DOCKER_HOST"));
    }

    /**
     * Creates the backend for a given Docker engine.
     *
     * @param dockerHost the engine for the bundle, or null for the default
     */
    public SmolmachinesBackend(@Nullable String dockerHost) {
        this.dockerHost = dockerHost;
    }

    /** Creates the backend over given bundle primitives (tests give them a recording fake engine). */
    SmolmachinesBackend(DockerBundles bundles) {
        this.dockerHost = null;
        this.bundles = bundles;
    }

    private DockerBundles bundles() {
        DockerBundles b = bundles;
        if (b == null) {
            synchronized (this) {
                b = bundles;
                if (b == null) {
                    b = DockerBundles.connect(dockerHost);
                    bundles = b;
                }
            }
        }
        return b;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    /**
     * Finds the {@code smolvm} executable.
     *
     * @param settings the settings ({@code SMOLVM} wins)
     * @return its path, or empty when it is nowhere
     */
    static @Nullable String locate(Settings settings) {
        String explicit = settings.get(SmolmachinesSettings.SMOLVM).orElse(null);
        if (explicit != null) {
            return Files.isExecutable(Path.of(explicit)) ? explicit : null;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "smolvm");
            if (!dir.isEmpty() && Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    /**
     * Reads the version {@code smolvm --version} prints.
     *
     * @param cli the wrapper
     * @return e.g. {@code 1.9.2}
     */
    static String version(SmolvmCli cli) {
        SmolvmCli.Result r = cli.check(List.of("--version"), Map.of(), QUICK);
        Matcher m = VERSION.matcher(r.stdout());
        if (!m.find()) {
            throw new BottleException(
                    "cannot read the version from '" + r.stdout().strip() + "' (smolvm --version)");
        }
        return m.group(1) + "." + m.group(2) + "." + (m.group(3) == null ? "0" : m.group(3));
    }

    /**
     * Chooses where the guest reaches the host, from the version.
     *
     * @param version smolvm's version
     * @return the address and why
     */
    static String[] hostAddress(String version) {
        String[] v = version.split("\\.");
        boolean virtio = Integer.parseInt(v[0]) > 1 || Integer.parseInt(v[0]) == 1 && Integer.parseInt(v[1]) >= 9;
        return virtio
                ? new String[] {
                    "100.96.0.1",
                    "smolvm " + version + " enforces the allowlist on virtio-net, whose"
                            + " gateway 100.96.0.1 relays to the host's loopback"
                }
                : new String[] {
                    "127.0.0.1",
                    "smolvm " + version + " predates virtio-net allowlists; TSI reaches the host"
                            + " loopback at 127.0.0.1"
                };
    }

    private static List<String> preflight(Settings s, @Nullable String binary) {
        List<String> problems = new ArrayList<>();
        if (binary == null) {
            problems.add("smolvm is not installed: put it on PATH or name it in SMOLVM (see smolmachines' README)");
        }
        if (!s.get(SmolmachinesSettings.CHECK_KVM, "true").equals("false")
                && System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            Path kvm = Path.of("/dev/kvm");
            if (!Files.exists(kvm)) {
                problems.add("/dev/kvm is missing: load the KVM module (sudo modprobe kvm) or use a host with"
                        + " virtualization");
            } else if (!Files.isReadable(kvm) || !Files.isWritable(kvm)) {
                problems.add("/dev/kvm is not accessible: add your user to the kvm group (sudo usermod -aG kvm $USER)");
            }
        }
        return problems;
    }

    @Override
    public Availability probe() {
        Settings s = new Settings(Map.of(), System.getenv());
        String binary = locate(s);
        List<String> problems = preflight(s, binary);
        String version = null;
        if (binary != null) {
            try {
                version = versions.computeIfAbsent(binary, b -> version(SmolvmCli.of(b)));
            } catch (BottleException e) {
                problems.add(e.getMessage());
            }
        }
        try {
            bundles().bundles(ID);
        } catch (BottleException e) {
            problems.add("the bundle needs Docker: " + e.getMessage());
        }
        if (!problems.isEmpty()) {
            return Availability.unavailable(String.join("; ", problems));
        }
        return Availability.available("smolvm " + version + " at " + binary)
                .withFact("smolvm", String.valueOf(version))
                .withFact("host_address", hostAddress(String.valueOf(version))[0]);
    }

    @Override
    public BottlePlan prepare(PrepareRequest request) {
        if (request.spec().detached()) {
            throw new BottleException("the smolmachines backend cannot detach a bottle: nothing could reach it once its"
                    + " launching program is gone. Launch it attached, or detach it on the docker backend");
        }
        Settings s = request.settings();
        String binary = locate(s);
        List<String> problems = preflight(s, binary);
        if (binary == null || !problems.isEmpty()) {
            throw new BottleException(
                    "the smolmachines backend cannot run here:\n  - " + String.join("\n  - ", problems));
        }
        SmolvmCli cli = SmolvmCli.of(binary);
        String version = versions.computeIfAbsent(binary, b -> version(cli));
        lastBinary = binary;
        bundles().bundles(ID);
        String id = request.identity();
        String[] host = s.get(SmolmachinesSettings.HOST_ADDRESS)
                .map(a -> new String[] {a, "set by " + SmolmachinesSettings.HOST_ADDRESS})
                .orElse(hostAddress(version));
        SidecarPlans sidecars = SidecarPlans.prepare(request, "");
        Path prompt = request.state().agentDir().resolve("prompt.txt");
        SecureFiles.writePrivate(prompt, request.agent().prompt());
        String image = s.get("CLAUDE_BOTTLE_IMAGE", "claude-bottle:latest");
        Path cache = s.get(SmolmachinesSettings.CACHE)
                .map(Path::of)
                .orElse(Path.of(System.getProperty("user.home"), ".cache", "claude-bottle", "smolmachines"));
        Path pack = PackCache.ensure(cli, cache, image);
        Map<String, String> tokens = sidecars.bundleValues(request.hostEnvironment(), request.env());
        Map<String, Path> skills = new LinkedHashMap<>();
        request.agent().skills().forEach(k -> skills.put(k, s.skillsDir().resolve(k)));
        return new SmolmachinesBottlePlan(
                id,
                request.agent().name(),
                request.state().path(),
                new SmolmachinesBottlePlan.Vm(
                        binary,
                        version,
                        host[0],
                        host[1],
                        Duration.ofSeconds(Long.parseLong(s.get(SmolmachinesSettings.READY_SECONDS, "120")))),
                new SmolmachinesBottlePlan.Machine(
                        "claude-bottle-" + id,
                        image,
                        pack,
                        s.get("CLAUDE_BOTTLE_CONTAINER_HOME", "/home/node"),
                        skills,
                        prompt),
                new SmolmachinesBottlePlan.Bundle(
                        DockerBundles.bundleNetworkName(id),
                        SubnetPool.from(s).candidates(id, SubnetPool.DEFAULT_ATTEMPTS),
                        bundles().describeBundleImage(s),
                        DockerBundles.bundleBuildSettings(s),
                        sidecars,
                        tokens),
                request.env());
    }

    @Override
    public BackendBottle launch(BottlePlan plan, BottleEvents events) {
        if (!(plan instanceof SmolmachinesBottlePlan p)) {
            throw new IllegalArgumentException("the smolmachines backend launches only its own plans, not "
                    + plan.getClass().getName());
        }
        return new SmolLaunch(SmolvmCli.of(p.vm().executable()), bundles(), p, events, p.vm().readyTimeout()).run();
    }

    private List<JsonNode> machines(SmolvmCli cli) {
        SmolvmCli.Result r = cli.check(List.of("machine", "ls", "--json"), Map.of(), QUICK);
        List<JsonNode> out = new ArrayList<>();
        try {
            JsonNode all = new ObjectMapper().readTree(r.stdout());
            if (all != null && all.isArray()) {
                for (JsonNode m : all) {
                    if (ID.equals(m.path("labels").path("dev.bottles.backend").asText(null))) {
                        out.add(m);
                    }
                }
            }
        } catch (IOException e) {
            throw new BottleException("cannot read 'smolvm machine ls --json' (" + e.getMessage() + ")", e);
        }
        return out;
    }

    /** The binary this backend's bottles use: the last one prepared with, else the environment's. */
    private @Nullable String binary() {
        String b = lastBinary;
        return b != null ? b : locate(new Settings(Map.of(), System.getenv()));
    }

    @Override
    public List<BottleSummary> list() {
        String binary = binary();
        if (binary == null) {
            return List.of();
        }
        List<BottleSummary> out = new ArrayList<>();
        for (JsonNode m : machines(SmolvmCli.of(binary))) {
            String services = m.path("labels").path("dev.bottles.services").asText("");
            out.add(new BottleSummary(
                    m.path("labels")
                            .path("dev.bottles.identity")
                            .asText(m.path("name").asText()),
                    ID,
                    m.path("labels").path("dev.bottles.agent").asText(null),
                    services.isEmpty() ? List.of() : List.of(services.split(",")),
                    m.path("state").asText("unknown"),
                    Owner.parse(m.path("labels").path(Owner.LABEL).asText("")).orElse(null)));
        }
        return out;
    }

    @Override
    public CleanupReport cleanup(CleanupRequest request) {
        String binary = binary();
        Set<String> live = new HashSet<>();
        List<String> removed = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        if (binary != null) {
            SmolvmCli cli = SmolvmCli.of(binary);
            for (JsonNode m : machines(cli)) {
                String identity = m.path("labels").path("dev.bottles.identity").asText("");
                Map<String, String> labels = new LinkedHashMap<>();
                m.path("labels")
                        .properties()
                        .forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
                if (request.keeps(
                        identity, labels, "running".equals(m.path("state").asText()))) {
                    live.add(identity);
                    continue;
                }
                String name = m.path("name").asText();
                if (!request.dryRun()) {
                    SmolvmCli.Result r = cli.run(List.of("machine", "delete", "--name", name, "-f"), Map.of(), QUICK);
                    if (r.exitCode() != 0 && r.failure() != SmolvmCli.Failure.VM_NOT_FOUND) {
                        failed.add("machine " + name + ": " + r.stderr().strip());
                        continue;
                    }
                }
                removed.add("machine " + name + " (" + request.reason(identity, labels) + ")");
            }
        }
        return new CleanupReport(removed, failed).plus(bundles().cleanup(ID, live, request));
    }
}
