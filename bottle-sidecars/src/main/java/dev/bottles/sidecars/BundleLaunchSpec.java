package dev.bottles.sidecars;

import dev.bottles.BottleException;
import dev.bottles.spi.Settings;
import dev.bottles.spi.Subnet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Everything a backend needs to start a bottle's sidecar bundle container (the seeds'
 * {@code BundleLaunchSpec}): where it sits on the network, its image, its daemons, its environment,
 * its mounts, the ports to publish and its labels. Built by {@link #of}; both backends call it.
 *
 * <p>The environment holds no secret value: route tokens are {@linkplain EnvEntry#bare bare names}
 * whose values the backend takes from the host environment at launch. The bundle never gets
 * {@code HTTPS_PROXY} or {@code NO_PROXY} (they would send git-gate's SSH through pipelock).
 *
 * @param identity the bottle's identity
 * @param containerName the bundle container's name
 * @param networkName the network the bundle is pinned on
 * @param subnet that network's subnet; the bundle sits at {@link Subnet#bundleIp()}
 * @param image the bundle image
 * @param daemonsCsv the value of {@code CLAUDE_BOTTLE_SIDECAR_DAEMONS}
 * @param environment the environment, in order
 * @param volumes the mounts, in order
 * @param publishedPorts container ports to publish on the host's 127.0.0.1 (random host ports);
 *     empty when the agent reaches the bundle by IP
 * @param labels the container's labels
 */
public record BundleLaunchSpec(
        String identity,
        String containerName,
        String networkName,
        Subnet subnet,
        String image,
        String daemonsCsv,
        List<EnvEntry> environment,
        List<Mount> volumes,
        List<Integer> publishedPorts,
        Map<String, String> labels) {
    /** The setting naming the bundle image. */
    public static final String IMAGE_SETTING = "CLAUDE_BOTTLE_SIDECAR_IMAGE";
    /** The default bundle image. */
    public static final String DEFAULT_IMAGE = "claude-bottle-sidecars:latest";
    /** The bundle variable naming the address the agent-facing daemons listen on. */
    public static final String LISTEN_ENV = "EGRESS_LISTEN";
    /** Where egress finds pipelock: on the bundle's own loopback, never reachable from the agent. */
    public static final String UPSTREAM_PROXY = "http://127.0.0.1:" + Daemon.PIPELOCK.port();

    /**
     * Validates and copies.
     *
     * @param identity the bottle's identity
     * @param containerName the container's name
     * @param networkName the network
     * @param subnet the subnet
     * @param image the image
     * @param daemonsCsv the daemons
     * @param environment the environment
     * @param volumes the mounts
     * @param publishedPorts the ports to publish
     * @param labels the labels
     */
    public BundleLaunchSpec {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(containerName, "containerName");
        Objects.requireNonNull(networkName, "networkName");
        Objects.requireNonNull(subnet, "subnet");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(daemonsCsv, "daemonsCsv");
        environment = List.copyOf(environment);
        volumes = List.copyOf(volumes);
        publishedPorts = List.copyOf(publishedPorts);
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }

    /**
     * One environment entry: {@code NAME=value}, or a bare {@code NAME} whose value the backend
     * takes from the host environment at launch.
     *
     * @param name the variable
     * @param value its value, or null for a bare name
     */
    public record EnvEntry(String name, @Nullable String value) {
        /**
         * Validates the entry.
         *
         * @param name the variable
         * @param value its value, or null
         */
        public EnvEntry {
            Objects.requireNonNull(name, "name");
        }

        /**
         * Creates a {@code NAME=value} entry.
         *
         * @param name the variable
         * @param value its value; never a secret
         * @return the entry
         */
        public static EnvEntry of(String name, String value) {
            return new EnvEntry(name, Objects.requireNonNull(value, "value"));
        }

        /**
         * Creates a bare entry, valued from the host environment at launch.
         *
         * @param name the variable
         * @return the entry
         */
        public static EnvEntry bare(String name) {
            return new EnvEntry(name, null);
        }

        /**
         * Tells whether the value comes from the host environment.
         *
         * @return true for a bare name
         */
        public boolean isBare() {
            return value == null;
        }

        @Override
        public String toString() {
            return value == null ? name : name + "=" + value;
        }
    }

    /**
     * One bind mount.
     *
     * @param host the host path
     * @param container the path inside the bundle
     * @param readOnly whether the bundle may only read it
     */
    public record Mount(Path host, String container, boolean readOnly) {
        /**
         * Validates the mount.
         *
         * @param host the host path
         * @param container the path inside the bundle
         * @param readOnly whether it is read-only
         */
        public Mount {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(container, "container");
        }
    }

    /**
     * Returns a copy with one more label.
     *
     * @param key the label's key
     * @param value its value
     * @return the copy
     */
    public BundleLaunchSpec withLabel(String key, String value) {
        Map<String, String> more = new LinkedHashMap<>(labels);
        more.put(key, value);
        return new BundleLaunchSpec(
                identity,
                containerName,
                networkName,
                subnet,
                image,
                daemonsCsv,
                environment,
                volumes,
                publishedPorts,
                more);
    }

    /**
     * Returns this spec for a warm pool member: without any value the host supplies (the bottle's
     * route tokens, secret values for inspection, its access credential), and waiting for them in
     * {@value SidecarBundle#AWAIT_FILE} in its egress directory.
     *
     * @return the warm spec
     */
    public BundleLaunchSpec awaitingClaim() {
        List<EnvEntry> env = new ArrayList<>();
        for (EnvEntry e : environment) {
            if (!e.isBare()) {
                env.add(e);
            }
        }
        env.add(EnvEntry.of(SidecarBundle.AWAIT_ENV, Egress.DIR_IN_CONTAINER + "/" + SidecarBundle.AWAIT_FILE));
        return new BundleLaunchSpec(
                identity, containerName, networkName, subnet, image, daemonsCsv, env, volumes, publishedPorts, labels);
    }

    /**
     * Builds the spec from a bottle's sidecar plans, for the image {@value #IMAGE_SETTING} names (or
     * the default), taken to run every daemon the bottle needs.
     *
     * @param plans the plans
     * @param backendId the backend's id, for the labels
     * @param networkName the network the bundle is pinned on
     * @param subnet its subnet
     * @param publishAgentPorts whether to publish the agent-facing ports on the host's 127.0.0.1
     *     (smolmachines), rather than let the agent dial the bundle's IP (docker)
     * @param settings the settings ({@value #IMAGE_SETTING} overrides the image)
     * @return the spec
     */
    public static BundleLaunchSpec of(
            SidecarPlans plans,
            String backendId,
            String networkName,
            Subnet subnet,
            boolean publishAgentPorts,
            Settings settings) {
        return of(
                plans,
                backendId,
                networkName,
                subnet,
                publishAgentPorts,
                new BundleImage(settings.get(IMAGE_SETTING, DEFAULT_IMAGE), null));
    }

    /**
     * Builds the spec from a bottle's sidecar plans for a given image: the daemons are those the
     * bottle needs that the image has ({@link BundleImage#effective}); egress gets pipelock as its
     * upstream proxy only when pipelock runs.
     *
     * @param plans the plans
     * @param backendId the backend's id, for the labels
     * @param networkName the network the bundle is pinned on
     * @param subnet its subnet
     * @param publishAgentPorts whether to publish the agent-facing ports on the host's 127.0.0.1
     * @param image the bundle image and its daemons
     * @return the spec
     * @throws dev.bottles.BottleException when the image lacks an agent-facing daemon the bottle needs
     */
    public static BundleLaunchSpec of(
            SidecarPlans plans,
            String backendId,
            String networkName,
            Subnet subnet,
            boolean publishAgentPorts,
            BundleImage image) {
        String id = plans.identity();
        SidecarBundle daemons = image.effective(plans.bundle());
        // the agent-facing daemons listen only on the bundle's address on the agent's network: the host
        // has no address there (docker) and a container on the bundle's other network cannot reach it
        List<EnvEntry> env = environment(plans, daemons, subnet.bundleIp());
        List<Mount> mounts = mounts(plans, daemons);
        List<Integer> ports = publishAgentPorts
                ? daemons.agentFacing().stream().map(Daemon::port).toList()
                : List.of();
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("dev.bottles.identity", id);
        labels.put("dev.bottles.backend", backendId);
        labels.put("dev.bottles.role", "bundle");
        return new BundleLaunchSpec(
                id,
                SidecarBundle.containerName(id),
                networkName,
                subnet,
                image.reference(),
                daemons.daemonsCsv(),
                env,
                mounts,
                ports,
                labels);
    }

    /**
     * Returns the bundle's environment for a bottle: its daemons and identity, pipelock as egress's
     * upstream when pipelock runs, the route tokens, forwarded values and access credential as
     * {@linkplain EnvEntry#bare bare names}, the listen address and {@code HOME}.
     *
     * @param plans the bottle's plans
     * @param daemons the daemons the bundle runs ({@link BundleImage#effective})
     * @param listen the address the agent-facing daemons listen on
     * @return the environment, in order
     */
    public static List<EnvEntry> environment(SidecarPlans plans, SidecarBundle daemons, String listen) {
        boolean pipelock = daemons.runs(Daemon.PIPELOCK);
        List<EnvEntry> env = new ArrayList<>();
        env.add(EnvEntry.of(SidecarBundle.DAEMONS_ENV, daemons.daemonsCsv()));
        env.add(EnvEntry.of(SidecarBundle.IDENTITY_ENV, plans.identity()));
        if (pipelock) {
            env.add(EnvEntry.of("EGRESS_UPSTREAM_PROXY", UPSTREAM_PROXY));
            env.add(EnvEntry.of("EGRESS_UPSTREAM_CA", PipelockProxy.CA_CERT_IN_CONTAINER));
        }
        plans.egress().tokenEnv().forEach(n -> env.add(EnvEntry.bare(n)));
        plans.forwarded().forEach(n -> env.add(EnvEntry.bare(SidecarPlans.DLP_ENV_PREFIX + n)));
        env.add(EnvEntry.bare(BundleAccess.ENV));
        env.add(EnvEntry.of(LISTEN_ENV, listen));
        // the bundle runs as a user with no home on a read-only root: its only writable place is /tmp
        env.add(EnvEntry.of("HOME", "/tmp"));
        return env;
    }

    /**
     * Returns where the bundle finds each of the bottle's sidecar directories: the host directory
     * the preparers wrote and its path in the bundle.
     *
     * @param plans the bottle's plans
     * @param daemons the daemons the bundle runs
     * @return the mounts, in order
     */
    public static List<Mount> mounts(SidecarPlans plans, SidecarBundle daemons) {
        List<Mount> mounts = new ArrayList<>();
        mounts.add(new Mount(plans.egress().directory(), Egress.DIR_IN_CONTAINER, true));
        if (daemons.runs(Daemon.PIPELOCK)) {
            mounts.add(new Mount(plans.pipelock().directory(), PipelockProxy.DIR_IN_CONTAINER, true));
            mounts.add(new Mount(plans.pipelock().config(), PipelockProxy.CONFIG_IN_CONTAINER, true));
        }
        if (plans.gitGate() != null) {
            mounts.add(new Mount(plans.gitGate().directory(), GitGate.DIR_IN_CONTAINER, true));
        }
        if (plans.supervise() != null) {
            mounts.add(new Mount(plans.supervise().directory(), Supervise.DIR_IN_CONTAINER, true));
            mounts.add(new Mount(plans.supervise().queueDir(), Supervise.QUEUE_IN_CONTAINER, false));
        }
        return mounts;
    }

    /**
     * Returns the gateway of the bundle's network.
     *
     * @return e.g. {@code 192.168.42.1}
     */
    public String gateway() {
        return subnet.gateway();
    }

    /**
     * Returns the bundle's pinned address.
     *
     * @return e.g. {@code 192.168.42.2}
     */
    public String bundleIp() {
        return subnet.bundleIp();
    }

    /**
     * Resolves the environment for the engine call: bare names take their values from the host
     * environment. Hand the result straight to the engine; never log or print it.
     *
     * @param hostEnvironment the host environment
     * @return {@code NAME=value} strings
     * @throws dev.bottles.BottleException when a bare name is unset on the host
     */
    public List<String> resolveEnvironment(Map<String, String> hostEnvironment) {
        List<String> out = new ArrayList<>();
        for (EnvEntry e : environment) {
            String v = e.isBare() ? hostEnvironment.get(e.name()) : e.value();
            if (v == null) {
                throw new BottleException("host variable " + e.name() + " is not set, but the bundle of" + " bottle "
                        + identity + " needs it; export it and launch again");
            }
            out.add(e.name() + "=" + v);
        }
        return out;
    }
}
