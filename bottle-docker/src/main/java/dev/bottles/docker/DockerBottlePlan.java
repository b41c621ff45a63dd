package dev.bottles.docker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bottles.docker.internal.AgentImages;
import dev.bottles.sidecars.BundleImage;
import dev.bottles.sidecars.SidecarPlans;
import dev.bottles.spi.BottlePlan;
import dev.bottles.spi.ResolvedEnv;
import dev.bottles.spi.Subnet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Everything the docker backend resolved for one bottle: images, names, networks, subnets, the
 * runtime, the sidecar plans and the agent's environment. Immutable; {@link #toJson()} and
 * {@link #toString()} mask every secret value.
 *
 * @param identity the bottle's identity
 * @param agentName the agent
 * @param stateDir the state dir
 * @param image the image the agent container runs (the derived image when the cwd is copied in)
 * @param baseImage the agent's base image ({@code claude-bottle:latest}, the rebuilt per-bottle
 *     image, or {@code CLAUDE_BOTTLE_IMAGE})
 * @param rebuiltDockerfile the per-bottle Dockerfile launch builds {@code baseImage} from, or null
 * @param derivedFrom the host directory copied into {@code image} at launch, or null
 * @param containerName the agent container's name
 * @param containerNamePinned whether {@code CLAUDE_BOTTLE_CONTAINER} fixed the name
 * @param internalNetwork the agent's network (internal, no route out)
 * @param egressNetwork the bundle's way out
 * @param subnets the internal network's subnet candidates, preferred first
 * @param egressSubnets the egress network's subnet candidates, preferred first
 * @param bundleImage the sidecar bundle's image and the daemons it has
 * @param bundleBuild the settings launch builds the SDK's images with (recipes, JRE and Node bases, the
 *     Claude Code version) and the limits
 * @param runtime the OCI runtime of the agent ({@code runsc}), or null for the engine's default
 * @param runtimeNote why that runtime was chosen
 * @param sidecars the sidecar plans
 * @param agentEnvironment the agent's environment for the preferred subnet (no forwarded values)
 * @param env the resolved environment; forwarded values go to each exec, never into the container
 * @param routeTokens the bundle's route tokens by variable; never printed
 * @param containerHome the agent user's home in the container
 * @param containerUser the user commands run as unless {@code ExecOptions} say otherwise (uid 1000 by
 *     default, whatever the image's default user is)
 * @param containerUid the uid owning the files provisioned into the home
 * @param skills skill name to host directory
 * @param promptFile the prompt file on the host
 * @param promptNonEmpty whether the agent has a prompt
 * @param claudeCodeVersion the Claude Code version the image holds (the SDK image's pinned one, or
 *     what a user's image records in its label), or null when unknown
 */
public record DockerBottlePlan(
        String identity,
        String agentName,
        Path stateDir,
        String image,
        String baseImage,
        @Nullable Path rebuiltDockerfile,
        @Nullable Path derivedFrom,
        String containerName,
        boolean containerNamePinned,
        String internalNetwork,
        String egressNetwork,
        List<Subnet> subnets,
        List<Subnet> egressSubnets,
        BundleImage bundleImage,
        Map<String, String> bundleBuild,
        @Nullable String runtime,
        String runtimeNote,
        SidecarPlans sidecars,
        Map<String, String> agentEnvironment,
        ResolvedEnv env,
        Map<String, String> routeTokens,
        String containerHome,
        @Nullable String containerUser,
        int containerUid,
        Map<String, Path> skills,
        Path promptFile,
        boolean promptNonEmpty,
        @Nullable String claudeCodeVersion)
        implements BottlePlan {

    /**
     * Validates and copies.
     *
     * @param identity the identity
     * @param agentName the agent
     * @param stateDir the state dir
     * @param image the runtime image
     * @param baseImage the base image
     * @param rebuiltDockerfile the per-bottle Dockerfile, or null
     * @param derivedFrom the copied directory, or null
     * @param containerName the container name
     * @param containerNamePinned whether pinned
     * @param internalNetwork the internal network
     * @param egressNetwork the egress network
     * @param subnets the internal subnet candidates
     * @param egressSubnets the egress subnet candidates
     * @param bundleImage the bundle image
     * @param bundleBuild the bundle image's build settings
     * @param runtime the runtime, or null
     * @param runtimeNote why
     * @param sidecars the sidecar plans
     * @param agentEnvironment the agent environment
     * @param env the resolved environment
     * @param routeTokens the route tokens
     * @param containerHome the home in the container
     * @param containerUser the exec user
     * @param containerUid the home's owner uid
     * @param skills the skills
     * @param promptFile the prompt file
     * @param promptNonEmpty whether there is a prompt
     * @param claudeCodeVersion the image's Claude Code version, or null
     */
    public DockerBottlePlan {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(image, "image");
        subnets = List.copyOf(subnets);
        egressSubnets = List.copyOf(egressSubnets);
        if (subnets.isEmpty() || egressSubnets.isEmpty()) {
            throw new IllegalArgumentException("at least one subnet candidate each");
        }
        agentEnvironment = Collections.unmodifiableMap(new LinkedHashMap<>(agentEnvironment));
        routeTokens = Map.copyOf(routeTokens);
        bundleBuild = Map.copyOf(bundleBuild);
        Objects.requireNonNull(bundleImage, "bundleImage").effective(sidecars.bundle());
        skills = Map.copyOf(skills);
    }

    @Override
    public String backendId() {
        return DockerBackend.ID;
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
     * Returns the bundle container's name.
     *
     * @return {@code claude-bottle-sidecars-<identity>}
     */
    public String bundleName() {
        return DockerBundles.bundleContainerName(identity);
    }

    /**
     * Returns how long launch waits for the bundle's readiness line.
     *
     * @return {@value DockerSettings#BUNDLE_READY_SECONDS} seconds, 60 by default
     */
    public Duration bundleReadyTimeout() {
        return Duration.ofSeconds(Long.parseLong(bundleBuild.getOrDefault(DockerSettings.BUNDLE_READY_SECONDS, "60")));
    }

    /**
     * Tells whether launch builds the agent image (the SDK's own, not yet on the engine).
     *
     * @return whether {@link #baseImage} is the SDK's content-hashed agent image
     */
    public boolean sdkAgentImage() {
        return AgentImages.isSdkImage(baseImage);
    }

    @Override
    public String toJson() {
        ObjectMapper m = new ObjectMapper();
        ObjectNode o = m.createObjectNode();
        o.put("identity", identity);
        o.put("backend", backendId());
        o.put("agent", agentName);
        o.put("state_dir", stateDir.toString());
        o.put("image", image);
        o.put("base_image", baseImage);
        o.put("claude_code_version", claudeCodeVersion);
        o.put("rebuilt_dockerfile", rebuiltDockerfile == null ? null : rebuiltDockerfile.toString());
        o.put("copied_cwd", derivedFrom == null ? null : derivedFrom.toString());
        o.put("container", containerName);
        o.put("container_pinned", containerNamePinned);
        o.put("bundle", bundleName());
        o.put("bundle_image", bundleImage.reference());
        ArrayNode notes = o.putArray("bundle_notes");
        bundleImage.notes(sidecars.bundle()).forEach(notes::add);
        o.put("internal_network", internalNetwork);
        o.put("egress_network", egressNetwork);
        o.put("subnet", subnets.get(0).cidr());
        o.put("bundle_ip", subnets.get(0).bundleIp());
        o.put("runtime", runtime == null ? "default" : runtime);
        o.put("runtime_note", runtimeNote);
        o.put("daemons", bundleImage.effective(sidecars.bundle()).daemonsCsv());
        ObjectNode e = o.putObject("agent_env");
        sidecars.masked(agentEnvironment).forEach(e::put);
        ArrayNode uninspected = o.putArray("uninspected_routes");
        sidecars.uninspectedHosts().forEach(uninspected::add);
        env.forwardedNames().forEach(n -> e.put(n, "***"));
        ArrayNode tokens = o.putArray("bundle_tokens");
        routeTokens.keySet().stream().sorted().forEach(tokens::add);
        o.put("compose_project", composeProject());
        return o.toPrettyString();
    }

    @Override
    public String toString() {
        return "DockerBottlePlan" + toJson().replace("\n", " ");
    }
}
