package dev.bottles.smolmachines;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.bottles.sidecars.BundleImage;
import dev.bottles.sidecars.SidecarPlans;
import dev.bottles.spi.BottlePlan;
import dev.bottles.spi.ResolvedEnv;
import dev.bottles.spi.Subnet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the smolmachines backend resolved for one bottle. Immutable; {@link #toJson()} and
 * {@link #toString()} mask every secret value.
 *
 * @param identity the bottle's identity
 * @param agentName the agent
 * @param stateDir the state dir
 * @param smolvm the {@code smolvm} executable
 * @param smolvmVersion what {@code smolvm --version} reported, e.g. {@code 1.9.2}
 * @param hostAddress where the guest reaches the host's loopback ({@code 100.96.0.1} on virtio-net)
 * @param hostAddressNote why that address
 * @param machineName the VM's name
 * @param image the agent image the pack was made from
 * @param pack the {@code .smolmachine} sidecar {@code machine create --from} takes
 * @param bundleNetwork the bundle's network
 * @param subnets the bundle network's subnet candidates, preferred first
 * @param bundleImage the sidecar bundle's image and its daemons
 * @param bundleBuild the settings launch builds the SDK's bundle image with
 * @param sidecars the sidecar plans
 * @param env the resolved environment; forwarded values reach the guest only as {@code --secret-env}
 * @param routeTokens the bundle's route tokens by variable; never printed
 * @param containerHome the agent's home in the guest
 * @param skills skill name to host directory
 * @param promptFile the prompt file on the host
 * @param readyTimeout how long the VM may take to answer after {@code machine start}
 */
public record SmolmachinesBottlePlan(
        String identity,
        String agentName,
        Path stateDir,
        String smolvm,
        String smolvmVersion,
        String hostAddress,
        String hostAddressNote,
        String machineName,
        String image,
        Path pack,
        String bundleNetwork,
        List<Subnet> subnets,
        BundleImage bundleImage,
        Map<String, String> bundleBuild,
        SidecarPlans sidecars,
        ResolvedEnv env,
        Map<String, String> routeTokens,
        String containerHome,
        Map<String, Path> skills,
        Path promptFile,
        Duration readyTimeout)
        implements BottlePlan {

    /**
     * Validates and copies.
     *
     * @param identity the identity
     * @param agentName the agent
     * @param stateDir the state dir
     * @param smolvm the executable
     * @param smolvmVersion its version
     * @param hostAddress the host address
     * @param hostAddressNote why
     * @param machineName the VM name
     * @param image the agent image
     * @param pack the sidecar
     * @param bundleNetwork the bundle network
     * @param subnets the subnet candidates
     * @param bundleImage the bundle image
     * @param bundleBuild its build settings
     * @param sidecars the sidecar plans
     * @param env the resolved environment
     * @param routeTokens the route tokens
     * @param containerHome the guest home
     * @param skills the skills
     * @param promptFile the prompt file
     * @param readyTimeout the readiness bound
     */
    public SmolmachinesBottlePlan {
        Objects.requireNonNull(identity, "identity");
        subnets = List.copyOf(subnets);
        routeTokens = Map.copyOf(routeTokens);
        skills = Map.copyOf(skills);
    }

    @Override
    public String backendId() {
        return SmolmachinesBackend.ID;
    }

    /**
     * Returns the CIDR the VM's egress allowlist admits: the host gateway only.
     *
     * @return e.g. {@code 100.96.0.1/32}
     */
    public String allowCidr() {
        return hostAddress + "/32";
    }

    @Override
    public String toJson() {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("identity", identity);
        o.put("backend", backendId());
        o.put("agent", agentName);
        o.put("state_dir", stateDir.toString());
        o.put("smolvm", smolvm);
        o.put("smolvm_version", smolvmVersion);
        o.put("machine", machineName);
        o.put("image", image);
        o.put("pack", pack.toString());
        o.put("host_address", hostAddress);
        o.put("host_address_note", hostAddressNote);
        o.put("allow_cidr", allowCidr());
        o.put("bundle_network", bundleNetwork);
        o.put("subnet", subnets.get(0).cidr());
        o.put("bundle_image", bundleImage.reference());
        ArrayNode notes = o.putArray("bundle_notes");
        bundleImage.notes(sidecars.bundle()).forEach(notes::add);
        o.put("daemons", sidecars.bundle().daemonsCsv());
        ArrayNode uninspected = o.putArray("uninspected_routes");
        sidecars.uninspectedHosts().forEach(uninspected::add);
        ObjectNode fwd = o.putObject("forwarded");
        env.forwardedNames().forEach(n -> fwd.put(n, "***"));
        o.putArray("bundle_tokens")
                .addAll(routeTokens.keySet().stream()
                        .sorted()
                        .map(TextNode::valueOf)
                        .toList());
        return o.toPrettyString();
    }

    @Override
    public String toString() {
        return "SmolmachinesBottlePlan" + toJson().replace("\n", " ");
    }
}
