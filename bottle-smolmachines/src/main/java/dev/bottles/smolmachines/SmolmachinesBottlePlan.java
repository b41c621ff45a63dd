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
 * Everything the smolmachines backend resolved for one bottle, in named parts: the {@code smolvm}
 * that runs it, the agent's machine, and the sidecar bundle on Docker. Immutable; {@link #toJson()}
 * and {@link #toString()} mask every secret value.
 *
 * @param identity the bottle's identity
 * @param agentName the agent
 * @param stateDir the state dir
 * @param vm the {@code smolvm} that runs the machine
 * @param machine the agent's machine
 * @param bundle the sidecar bundle
 * @param env the resolved environment; forwarded values reach the guest only as {@code --secret-env}
 */
public record SmolmachinesBottlePlan(
        String identity, String agentName, Path stateDir, Vm vm, Machine machine, Bundle bundle, ResolvedEnv env)
        implements BottlePlan {

    /**
     * The {@code smolvm} that runs the machine, and how the guest reaches the host.
     *
     * @param executable the {@code smolvm} executable
     * @param version what {@code smolvm --version} reported, e.g. {@code 1.9.2}
     * @param hostAddress where the guest reaches the host's loopback ({@code 100.96.0.1} on virtio-net)
     * @param hostAddressNote why that address
     * @param readyTimeout how long the VM may take to answer after {@code machine start}
     */
    public record Vm(
            String executable, String version, String hostAddress, String hostAddressNote, Duration readyTimeout) {}

    /**
     * The agent's machine.
     *
     * @param name the VM's name
     * @param image the agent image the pack was made from
     * @param pack the {@code .smolmachine} sidecar {@code machine create --from} takes
     * @param home the agent's home in the guest
     * @param skills skill name to host directory
     * @param promptFile the prompt file on the host
     */
    public record Machine(
            String name, String image, Path pack, String home, Map<String, Path> skills, Path promptFile) {
        /**
         * Copies the map.
         *
         * @param name the VM's name
         * @param image the agent image the pack was made from
         * @param pack the {@code .smolmachine} sidecar {@code machine create --from} takes
         * @param home the agent's home in the guest
         * @param skills skill name to host directory
         * @param promptFile the prompt file on the host
         */
        public Machine {
            skills = Map.copyOf(skills);
        }
    }

    /**
     * The sidecar bundle, a container on the Docker engine.
     *
     * @param network the bundle's network
     * @param subnets the bundle network's subnet candidates, preferred first
     * @param image the bundle's image and its daemons
     * @param build the settings launch builds the SDK's bundle image with
     * @param sidecars the sidecar plans
     * @param routeTokens the bundle's route tokens by variable; never printed
     */
    public record Bundle(
            String network,
            List<Subnet> subnets,
            BundleImage image,
            Map<String, String> build,
            SidecarPlans sidecars,
            Map<String, String> routeTokens) {
        /**
         * Copies the collections.
         *
         * @param network the bundle's network
         * @param subnets the bundle network's subnet candidates, preferred first
         * @param image the bundle's image and its daemons
         * @param build the settings launch builds the SDK's bundle image with
         * @param sidecars the sidecar plans
         * @param routeTokens the bundle's route tokens by variable; never printed
         */
        public Bundle {
            subnets = List.copyOf(subnets);
            build = Map.copyOf(build);
            routeTokens = Map.copyOf(routeTokens);
        }

        @Override
        public String toString() {
            return "Bundle[" + network + ", " + image.reference() + ", tokens " + routeTokens.keySet() + "]";
        }
    }

    /**
     * Checks the parts.
     *
     * @param identity the bottle's identity
     * @param agentName the agent
     * @param stateDir the state dir
     * @param vm the {@code smolvm} that runs the machine
     * @param machine the agent's machine
     * @param bundle the sidecar bundle
     * @param env the resolved environment
     */
    public SmolmachinesBottlePlan {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(vm, "vm");
        Objects.requireNonNull(machine, "machine");
        Objects.requireNonNull(bundle, "bundle");
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
        return vm.hostAddress() + "/32";
    }

    @Override
    public String toJson() {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("identity", identity);
        o.put("backend", backendId());
        o.put("agent", agentName);
        o.put("state_dir", stateDir.toString());
        o.put("smolvm", vm.executable());
        o.put("smolvm_version", vm.version());
        o.put("machine", machine.name());
        o.put("image", machine.image());
        o.put("pack", machine.pack().toString());
        o.put("host_address", vm.hostAddress());
        o.put("host_address_note", vm.hostAddressNote());
        o.put("allow_cidr", allowCidr());
        o.put("bundle_network", bundle.network());
        o.put("subnet", bundle.subnets().get(0).cidr());
        o.put("bundle_image", bundle.image().reference());
        ArrayNode notes = o.putArray("bundle_notes");
        bundle.image().notes(bundle.sidecars().bundle()).forEach(notes::add);
        o.put("daemons", bundle.sidecars().bundle().daemonsCsv());
        ArrayNode uninspected = o.putArray("uninspected_routes");
        bundle.sidecars().uninspectedHosts().forEach(uninspected::add);
        ObjectNode fwd = o.putObject("forwarded");
        env.forwardedNames().forEach(n -> fwd.put(n, "***"));
        o.putArray("bundle_tokens")
                .addAll(bundle.routeTokens().keySet().stream()
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
