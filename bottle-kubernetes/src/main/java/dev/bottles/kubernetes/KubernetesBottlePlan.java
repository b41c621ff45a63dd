package dev.bottles.kubernetes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bottles.sidecars.BundleLaunchSpec;
import dev.bottles.sidecars.SidecarPlans;
import dev.bottles.spi.BottlePlan;
import dev.bottles.spi.ResolvedEnv;
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
 * Everything the kubernetes backend resolved for one bottle, in named parts: the namespace, the two
 * images, the agent's pod, the sidecar bundle's pod and where both may be placed. Immutable;
 * {@link #toJson()} and {@link #toString()} mask every secret value.
 *
 * @param identity the bottle's identity
 * @param agentName the agent
 * @param stateDir the state dir
 * @param namespace the namespace the bottle's objects live in
 * @param images the images the nodes pull
 * @param agent the agent's pod
 * @param bundle the sidecar bundle's pod
 * @param placement deadlines, node selection and the ports the bundle may dial
 * @param env the resolved environment; forwarded values go to each exec, never into a pod spec
 * @param detached whether the bottle outlives the program that launches it
 */
public record KubernetesBottlePlan(
        String identity,
        String agentName,
        Path stateDir,
        String namespace,
        Images images,
        Agent agent,
        Bundle bundle,
        Placement placement,
        ResolvedEnv env,
        boolean detached)
        implements BottlePlan {

    /**
     * The images.
     *
     * @param agent the agent image
     * @param bundle the bundle image
     * @param runtimeClass the agent pod's RuntimeClass, or null for the cluster's default
     */
    public record Images(
            String agent, String bundle, @Nullable String runtimeClass) {
        /**
         * Validates.
         *
         * @param agent the agent image
         * @param bundle the bundle image
         * @param runtimeClass the RuntimeClass, or null
         */
        public Images {
            Objects.requireNonNull(agent, "agent");
            Objects.requireNonNull(bundle, "bundle");
        }
    }

    /**
     * The agent's pod.
     *
     * @param uid the uid its container runs as
     * @param home its home directory
     * @param memory its memory limit, e.g. {@code 4Gi}
     * @param prompt the agent's prompt file in the state dir
     * @param skills skill name to its directory on the host
     */
    public record Agent(long uid, String home, String memory, Path prompt, Map<String, Path> skills) {
        /**
         * Validates and copies.
         *
         * @param uid the uid
         * @param home the home
         * @param memory the memory limit
         * @param prompt the prompt file
         * @param skills the skills
         */
        public Agent {
            Objects.requireNonNull(home, "home");
            Objects.requireNonNull(memory, "memory");
            Objects.requireNonNull(prompt, "prompt");
            skills = Collections.unmodifiableMap(new LinkedHashMap<>(skills));
        }
    }

    /**
     * The sidecar bundle's pod.
     *
     * @param sidecars the bottle's sidecar plans
     * @param daemonsCsv the daemons it runs
     * @param environment its environment; bare names are valued from {@code values}
     * @param mounts the sidecar directories and where the bundle finds them
     * @param values the secret values (route tokens, forwarded values, the access credential); they
     *     go into the bottle's Secret only
     */
    public record Bundle(
            SidecarPlans sidecars,
            String daemonsCsv,
            List<BundleLaunchSpec.EnvEntry> environment,
            List<BundleLaunchSpec.Mount> mounts,
            Map<String, String> values) {
        /**
         * Validates and copies.
         *
         * @param sidecars the plans
         * @param daemonsCsv the daemons
         * @param environment the environment
         * @param mounts the mounts
         * @param values the secret values
         */
        public Bundle {
            Objects.requireNonNull(sidecars, "sidecars");
            Objects.requireNonNull(daemonsCsv, "daemonsCsv");
            environment = List.copyOf(environment);
            mounts = List.copyOf(mounts);
            values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        }

        @Override
        public String toString() {
            return "Bundle[" + daemonsCsv + ", values " + values.keySet() + " (masked)]";
        }
    }

    /**
     * Where and how long the pods run, and what the bundle may dial.
     *
     * @param activeDeadline the pods' {@code activeDeadlineSeconds}
     * @param readyTimeout how long launch waits for both pods
     * @param nodeSelector node labels both pods must match
     * @param upstreamPorts the TCP ports the bundle may dial outside the cluster
     */
    public record Placement(
            Duration activeDeadline,
            Duration readyTimeout,
            Map<String, String> nodeSelector,
            List<Integer> upstreamPorts) {
        /**
         * Validates and copies.
         *
         * @param activeDeadline the deadline
         * @param readyTimeout the ready timeout
         * @param nodeSelector the node selector
         * @param upstreamPorts the ports
         */
        public Placement {
            Objects.requireNonNull(activeDeadline, "activeDeadline");
            Objects.requireNonNull(readyTimeout, "readyTimeout");
            nodeSelector = Collections.unmodifiableMap(new LinkedHashMap<>(nodeSelector));
            upstreamPorts = List.copyOf(upstreamPorts);
        }
    }

    /**
     * Validates.
     *
     * @param identity the identity
     * @param agentName the agent
     * @param stateDir the state dir
     * @param namespace the namespace
     * @param images the images
     * @param agent the agent's pod
     * @param bundle the bundle's pod
     * @param placement the placement
     * @param env the environment
     * @param detached whether it is detached
     */
    public KubernetesBottlePlan {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(agentName, "agentName");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(bundle, "bundle");
        Objects.requireNonNull(placement, "placement");
        Objects.requireNonNull(env, "env");
    }

    @Override
    public String backendId() {
        return KubernetesBackend.ID;
    }

    /**
     * Returns the value of the owner annotation the bottle's objects carry.
     *
     * @return the launching program, or the detached form
     */
    public String ownerLabel() {
        return Owner.current().label(detached);
    }

    @Override
    public String toJson() {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("identity", identity);
        root.put("backend", KubernetesBackend.ID);
        root.put("agent", agentName);
        root.put("namespace", namespace);
        root.put("agent_image", images.agent());
        root.put("bundle_image", images.bundle());
        root.put("runtime_class", images.runtimeClass());
        root.put("daemons", bundle.daemonsCsv());
        ArrayNode secrets = root.putArray("bundle_secret_names");
        bundle.values().keySet().forEach(secrets::add);
        ArrayNode ports = root.putArray("upstream_ports");
        placement.upstreamPorts().forEach(ports::add);
        root.put("active_deadline_seconds", placement.activeDeadline().toSeconds());
        ArrayNode forwarded = root.putArray("forwarded");
        env.forwardedNames().forEach(forwarded::add);
        root.put("detached", detached);
        try {
            return m.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "KubernetesBottlePlan[" + identity + " in " + namespace + ", agent " + images.agent() + ", bundle "
                + images.bundle() + ", " + bundle + "]";
    }
}
