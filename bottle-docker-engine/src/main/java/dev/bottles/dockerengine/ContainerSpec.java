package dev.bottles.dockerengine;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What {@link DockerEngine#createContainer} creates.
 *
 * @param name the container's name
 * @param image the image
 * @param cmd the command, or empty for the image's
 * @param env {@code NAME=value} entries
 * @param labels the labels
 * @param network the network it is created on
 * @param ipv4 its pinned address on that network, or null
 * @param aliases its aliases on that network
 * @param runtime the OCI runtime (e.g. {@code runsc}), or null for the engine's default
 * @param hardening capabilities, privileges, user, limits and file system
 * @param publishedPorts container ports to publish on the host's 127.0.0.1, random host ports
 * @param binds bind mounts as {@code host:container[:ro]}
 * @param dns DNS servers, or empty for the engine's default
 */
public record ContainerSpec(
        String name,
        String image,
        List<String> cmd,
        List<String> env,
        Map<String, String> labels,
        String network,
        @Nullable String ipv4,
        List<String> aliases,
        @Nullable String runtime,
        Hardening hardening,
        List<Integer> publishedPorts,
        List<String> binds,
        List<String> dns) {
    /** The agent's default pids limit. */
    public static final long PIDS_LIMIT = 1024;

    /**
     * How a container is locked down.
     *
     * @param dropAll drop every capability and set {@code no-new-privileges}
     * @param pids the pids limit, or 0 for none
     * @param memoryBytes the memory limit (swap included), or 0 for none
     * @param user the user to run as ({@code uid:gid}), or null for the image's
     * @param readOnlyRootfs whether the root file system is read-only
     * @param tmpfs writable tmpfs mounts: path to mount options
     */
    public record Hardening(
            boolean dropAll,
            long pids,
            long memoryBytes,
            @Nullable String user,
            boolean readOnlyRootfs,
            Map<String, String> tmpfs) {
        /** Nothing locked down (test helpers, probes). */
        public static final Hardening NONE = new Hardening(false, 0, 0, null, false, Map.of());

        /**
         * Copies the map.
         *
         * @param dropAll drop every capability and set {@code no-new-privileges}
         * @param pids the pids limit, or 0 for none
         * @param memoryBytes the memory limit (swap included), or 0 for none
         * @param user the user to run as ({@code uid:gid}), or null for the image's
         * @param readOnlyRootfs whether the root file system is read-only
         * @param tmpfs writable tmpfs mounts: path to mount options
         */
        public Hardening {
            tmpfs = Map.copyOf(tmpfs);
        }

        /**
         * Returns the agent's hardening: no capabilities, no new privileges, a pids limit and an
         * optional memory limit.
         *
         * @param pids the pids limit
         * @param memoryBytes the memory limit, or 0 for none
         * @return the hardening
         */
        public static Hardening agent(long pids, long memoryBytes) {
            return new Hardening(true, pids, memoryBytes, null, false, Map.of());
        }

        /**
         * Returns a copy whose main process runs as another user.
         *
         * @param newUser a user name or uid, or null for the image's
         * @return the new hardening
         */
        public Hardening as(@Nullable String newUser) {
            return new Hardening(dropAll, pids, memoryBytes, newUser, readOnlyRootfs, tmpfs);
        }
    }

    /**
     * Copies the lists; use {@link #builder} rather than this constructor.
     *
     * @param name the container's name
     * @param image the image
     * @param cmd the command, or empty for the image's
     * @param env {@code NAME=value} entries
     * @param labels the labels
     * @param network the network it is created on
     * @param ipv4 its pinned address on that network, or null
     * @param aliases its aliases on that network
     * @param runtime the OCI runtime (e.g. {@code runsc}), or null for the engine's default
     * @param hardening capabilities, privileges, user, limits and file system
     * @param publishedPorts container ports to publish on the host's 127.0.0.1, random host ports
     * @param binds bind mounts as {@code host:container[:ro]}
     * @param dns DNS servers, or empty for the engine's default
     */
    public ContainerSpec {
        cmd = List.copyOf(cmd);
        env = List.copyOf(env);
        labels = Map.copyOf(labels);
        aliases = List.copyOf(aliases);
        publishedPorts = List.copyOf(publishedPorts);
        binds = List.copyOf(binds);
        dns = List.copyOf(dns);
    }

    /**
     * Starts a spec for a container on a network; everything else defaults to nothing (no command
     * of its own, no environment, labels, pinned address, aliases, published ports, mounts or DNS;
     * the engine's default runtime; nothing locked down).
     *
     * @param name the container's name
     * @param image the image
     * @param network the network it is created on
     * @return the builder
     */
    public static Builder builder(String name, String image, String network) {
        return new Builder(name, image, network);
    }

    /** Builds a {@link ContainerSpec} by named parts. */
    public static final class Builder {
        private final String name;
        private final String image;
        private final String network;
        private List<String> cmd = List.of();
        private List<String> env = List.of();
        private Map<String, String> labels = Map.of();
        private @Nullable String ipv4;
        private List<String> aliases = List.of();
        private @Nullable String runtime;
        private Hardening hardening = Hardening.NONE;
        private List<Integer> publishedPorts = List.of();
        private List<String> binds = List.of();
        private List<String> dns = List.of();

        private Builder(String name, String image, String network) {
            this.name = name;
            this.image = image;
            this.network = network;
        }

        /**
         * Sets the command.
         *
         * @param value the command and its arguments
         * @return this builder
         */
        public Builder cmd(List<String> value) {
            cmd = value;
            return this;
        }

        /**
         * Sets the environment.
         *
         * @param value {@code NAME=value} entries
         * @return this builder
         */
        public Builder env(List<String> value) {
            env = value;
            return this;
        }

        /**
         * Sets the labels.
         *
         * @param value the labels
         * @return this builder
         */
        public Builder labels(Map<String, String> value) {
            labels = value;
            return this;
        }

        /**
         * Pins the container's address on its network.
         *
         * @param value the address
         * @return this builder
         */
        public Builder ipv4(String value) {
            ipv4 = value;
            return this;
        }

        /**
         * Sets its aliases on its network.
         *
         * @param value the aliases
         * @return this builder
         */
        public Builder aliases(List<String> value) {
            aliases = value;
            return this;
        }

        /**
         * Sets the OCI runtime.
         *
         * @param value e.g. {@code runsc}, or null for the engine's default
         * @return this builder
         */
        public Builder runtime(@Nullable String value) {
            runtime = value;
            return this;
        }

        /**
         * Sets how it is locked down.
         *
         * @param value the hardening
         * @return this builder
         */
        public Builder hardening(Hardening value) {
            hardening = value;
            return this;
        }

        /**
         * Publishes container ports on the host's 127.0.0.1 (random host ports).
         *
         * @param value the container ports
         * @return this builder
         */
        public Builder publishedPorts(List<Integer> value) {
            publishedPorts = value;
            return this;
        }

        /**
         * Sets the bind mounts.
         *
         * @param value {@code host:container[:ro]} entries
         * @return this builder
         */
        public Builder binds(List<String> value) {
            binds = value;
            return this;
        }

        /**
         * Sets the DNS servers.
         *
         * @param value the servers
         * @return this builder
         */
        public Builder dns(List<String> value) {
            dns = value;
            return this;
        }

        /**
         * Builds the spec.
         *
         * @return the spec
         */
        public ContainerSpec build() {
            return new ContainerSpec(
                    name,
                    image,
                    cmd,
                    env,
                    labels,
                    network,
                    ipv4,
                    aliases,
                    runtime,
                    hardening,
                    publishedPorts,
                    binds,
                    dns);
        }
    }

    @Override
    public String toString() {
        return "ContainerSpec[" + name + " " + image + " on " + network + (ipv4 == null ? "" : " at " + ipv4) + "]";
    }
}
