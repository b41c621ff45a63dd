package dev.bottles.docker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bottles.docker.internal.AgentImages;
import dev.bottles.dockerengine.DockerBundles;
import dev.bottles.sidecars.BundleImage;
import dev.bottles.sidecars.SidecarPlans;
import dev.bottles.spi.BottlePlan;
import dev.bottles.spi.ResolvedEnv;
import dev.bottles.spi.Subnet;
import dev.bottles.state.Owner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Everything the docker backend resolved for one bottle, in named parts: its images, its networks,
 * the agent's container, the sidecar bundle and the OCI runtime. Immutable; {@link #toJson()} and
 * {@link #toString()} mask every secret value, and the JSON form keeps its fields whatever the
 * record's shape.
 *
 * @param identity the bottle's identity
 * @param agentName the agent
 * @param stateDir the state dir
 * @param images the images the agent runs and how they are made
 * @param networks the bottle's two networks and their subnet candidates
 * @param agent the agent's container: name, user, environment, files
 * @param bundle the sidecar bundle: image, build settings, sidecar plans, route tokens
 * @param runtime the agent's OCI runtime
 * @param env the resolved environment; forwarded values go to each exec, never into the container
 * @param detached whether the bottle outlives the program that launches it
 */
public record DockerBottlePlan(
        String identity,
        String agentName,
        Path stateDir,
        Images images,
        Networks networks,
        Agent agent,
        Bundle bundle,
        OciRuntime runtime,
        ResolvedEnv env,
        boolean detached)
        implements BottlePlan {

    /**
     * The images.
     *
     * @param image the image the agent container runs (the derived image when the cwd is copied in)
     * @param base the agent's base image (the SDK's {@code claude-bottle:<hash>}, the rebuilt
     *     per-bottle image, or {@code CLAUDE_BOTTLE_IMAGE})
     * @param rebuiltDockerfile the per-bottle Dockerfile launch builds {@code base} from, or null
     * @param derivedFrom the host directory copied into {@code image} at launch, or null
     * @param claudeCodeVersion the Claude Code version the image holds (the SDK image's pinned one, or
     *     what a user's image records in its label), or null when unknown
     */
    public record Images(
            String image,
            String base,
            @Nullable Path rebuiltDockerfile,
            @Nullable Path derivedFrom,
            @Nullable String claudeCodeVersion) {
        /**
         * Validates.
         *
         * @param image the image the agent container runs
         * @param base the agent's base image
         * @param rebuiltDockerfile the per-bottle Dockerfile, or null
         * @param derivedFrom the host directory copied in, or null
         * @param claudeCodeVersion the Claude Code version, or null
         */
        public Images {
            Objects.requireNonNull(image, "image");
            Objects.requireNonNull(base, "base");
        }
    }

    /**
     * The networks.
     *
     * @param internal the agent's network (internal, no route out)
     * @param egress the bundle's way out
     * @param subnets the internal network's subnet candidates, preferred first
     * @param egressSubnets the egress network's subnet candidates, preferred first
     */
    public record Networks(String internal, String egress, List<Subnet> subnets, List<Subnet> egressSubnets) {
        /**
         * Validates and copies.
         *
         * @param internal the agent's network
         * @param egress the bundle's way out
         * @param subnets the internal network's subnet candidates
         * @param egressSubnets the egress network's subnet candidates
         */
        public Networks {
            Objects.requireNonNull(internal, "internal");
            Objects.requireNonNull(egress, "egress");
            subnets = List.copyOf(subnets);
            egressSubnets = List.copyOf(egressSubnets);
            if (subnets.isEmpty() || egressSubnets.isEmpty()) {
                throw new IllegalArgumentException("at least one subnet candidate each");
            }
        }
    }

    /**
     * The agent's container.
     *
     * @param container its name
     * @param containerPinned whether {@code CLAUDE_BOTTLE_CONTAINER} fixed the name
     * @param environment its environment for the preferred subnet (no forwarded values)
     * @param home the agent user's home in the container
     * @param user the user commands run as unless {@code ExecOptions} say otherwise (uid 1000 by
     *     default, whatever the image's default user is)
     * @param uid the uid owning the files provisioned into the home
     * @param skills skill name to host directory
     * @param promptFile the prompt file on the host
     * @param promptNonEmpty whether the agent has a prompt
     */
    public record Agent(
            String container,
            boolean containerPinned,
            Map<String, String> environment,
            String home,
            @Nullable String user,
            int uid,
            Map<String, Path> skills,
            Path promptFile,
            boolean promptNonEmpty) {
        /**
         * Validates and copies.
         *
         * @param container its name
         * @param containerPinned whether the name was pinned
         * @param environment its environment
         * @param home the agent user's home
         * @param user the user commands run as
         * @param uid the uid owning the provisioned files
         * @param skills skill name to host directory
         * @param promptFile the prompt file on the host
         * @param promptNonEmpty whether the agent has a prompt
         */
        public Agent {
            Objects.requireNonNull(container, "container");
            environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
            skills = Map.copyOf(skills);
        }
    }

    /**
     * The sidecar bundle.
     *
     * @param image the bundle's image and the daemons it has
     * @param build the settings launch builds the SDK's images with (recipes, JRE and Node bases, the
     *     Claude Code version) and the limits
     * @param sidecars the sidecar plans
     * @param routeTokens the bundle's route tokens by variable; never printed
     */
    public record Bundle(
            BundleImage image, Map<String, String> build, SidecarPlans sidecars, Map<String, String> routeTokens) {
        /**
         * Validates and copies.
         *
         * @param image the bundle's image
         * @param build the build settings and limits
         * @param sidecars the sidecar plans
         * @param routeTokens the route tokens
         */
        public Bundle {
            Objects.requireNonNull(image, "image").effective(sidecars.bundle());
            build = Map.copyOf(build);
            routeTokens = Map.copyOf(routeTokens);
        }
    }

    /**
     * The agent's OCI runtime.
     *
     * @param name {@code runsc} (gVisor), or null for the engine's default
     * @param note why that runtime was chosen
     */
    public record OciRuntime(@Nullable String name, String note) {}

    /**
     * Validates.
     *
     * @param identity the bottle's identity
     * @param agentName the agent
     * @param stateDir the state dir
     * @param images the images
     * @param networks the networks
     * @param agent the agent's container
     * @param bundle the sidecar bundle
     * @param runtime the OCI runtime
     * @param env the resolved environment
     * @param detached whether the bottle outlives the program that launches it
     */
    public DockerBottlePlan {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(networks, "networks");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(bundle, "bundle");
        Objects.requireNonNull(runtime, "runtime");
    }

    @Override
    public String backendId() {
        return DockerBackend.ID;
    }

    /**
     * Returns the owner label its resources carry: this process's, marked when the bottle is
     * detached ({@link Owner#label(boolean)}).
     *
     * @return the label value
     */
    public String ownerLabel() {
        return Owner.current().label(detached);
    }

    @Override
    public List<String> agentCommand() {
        return ClaudeCommand.argv(this);
    }

    @Override
    public String composeProject() {
        return "claude-bottle-" + identity;
    }

    /**
     * Returns the sidecar bundle container's name.
     *
     * @return {@code claude-bottle-sidecars-<identity>}
     */
    public String bundleName() {
        return DockerBundles.bundleContainerName(identity);
    }

    /**
     * Returns how long launch waits for the bundle's readiness line.
     *
     * @return the timeout ({@value DockerSettings#BUNDLE_READY_SECONDS}, 60 s by default)
     */
    public Duration bundleReadyTimeout() {
        return Duration.ofSeconds(
                Long.parseLong(bundle.build().getOrDefault(DockerSettings.BUNDLE_READY_SECONDS, "60")));
    }

    /**
     * Tells whether the agent runs the SDK's own image (built by the SDK at launch when missing).
     *
     * @return true for {@code claude-bottle:<hash>}
     */
    public boolean sdkAgentImage() {
        return AgentImages.isSdkImage(images.base());
    }

    @Override
    public String toJson() {
        ObjectMapper m = new ObjectMapper();
        ObjectNode o = m.createObjectNode();
        SidecarPlans sidecars = bundle.sidecars();
        o.put("identity", identity);
        o.put("backend", backendId());
        o.put("agent", agentName);
        o.put("state_dir", stateDir.toString());
        o.put("image", images.image());
        o.put("base_image", images.base());
        o.put("claude_code_version", images.claudeCodeVersion());
        o.put(
                "rebuilt_dockerfile",
                images.rebuiltDockerfile() == null
                        ? null
                        : images.rebuiltDockerfile().toString());
        o.put(
                "copied_cwd",
                images.derivedFrom() == null ? null : images.derivedFrom().toString());
        o.put("container", agent.container());
        o.put("container_pinned", agent.containerPinned());
        o.put("bundle", bundleName());
        o.put("bundle_image", bundle.image().reference());
        ArrayNode notes = o.putArray("bundle_notes");
        bundle.image().notes(sidecars.bundle()).forEach(notes::add);
        o.put("internal_network", networks.internal());
        o.put("egress_network", networks.egress());
        o.put("subnet", networks.subnets().get(0).cidr());
        o.put("bundle_ip", networks.subnets().get(0).bundleIp());
        o.put("runtime", runtime.name() == null ? "default" : runtime.name());
        o.put("runtime_note", runtime.note());
        o.put("detached", detached);
        o.put("daemons", bundle.image().effective(sidecars.bundle()).daemonsCsv());
        ObjectNode e = o.putObject("agent_env");
        sidecars.masked(agent.environment()).forEach(e::put);
        ArrayNode uninspected = o.putArray("uninspected_routes");
        sidecars.uninspectedHosts().forEach(uninspected::add);
        env.forwardedNames().forEach(n -> e.put(n, "***"));
        ArrayNode tokens = o.putArray("bundle_tokens");
        bundle.routeTokens().keySet().stream().sorted().forEach(tokens::add);
        o.put("compose_project", composeProject());
        return o.toPrettyString();
    }

    @Override
    public String toString() {
        return "DockerBottlePlan" + toJson().replace("\n", " ");
    }
}
