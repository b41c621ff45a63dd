package dev.bottles.docker.internal;

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

        /** Copies the map. */
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
     * Creates a spec that is either fully unhardened or the agent's default hardening.
     *
     * @param name the name
     * @param image the image
     * @param cmd the command
     * @param env the environment
     * @param labels the labels
     * @param network the network
     * @param ipv4 the pinned address, or null
     * @param aliases the aliases
     * @param runtime the runtime, or null
     * @param hardened whether to apply {@link Hardening#agent} with the default pids limit
     * @param publishedPorts ports to publish
     * @param binds bind mounts
     * @param dns DNS servers
     */
    public ContainerSpec(
            String name,
            String image,
            List<String> cmd,
            List<String> env,
            Map<String, String> labels,
            String network,
            @Nullable String ipv4,
            List<String> aliases,
            @Nullable String runtime,
            boolean hardened,
            List<Integer> publishedPorts,
            List<String> binds,
            List<String> dns) {
        this(
                name,
                image,
                cmd,
                env,
                labels,
                network,
                ipv4,
                aliases,
                runtime,
                hardened ? Hardening.agent(PIDS_LIMIT, 0) : Hardening.NONE,
                publishedPorts,
                binds,
                dns);
    }

    /** Copies the lists. */
    public ContainerSpec {
        cmd = List.copyOf(cmd);
        env = List.copyOf(env);
        labels = Map.copyOf(labels);
        aliases = List.copyOf(aliases);
        publishedPorts = List.copyOf(publishedPorts);
        binds = List.copyOf(binds);
        dns = List.copyOf(dns);
    }

    @Override
    public String toString() {
        return "ContainerSpec[" + name + " " + image + " on " + network + (ipv4 == null ? "" : " at " + ipv4) + "]";
    }
}
