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
 * @param hardened drop every capability, set {@code no-new-privileges} and a pids limit
 * @param publishedPorts container ports to publish on the host's 127.0.0.1, random host ports
 * @param binds bind mounts as {@code host:container[:ro]}
 * @param dns DNS servers, or empty for the engine's default
 */
public record ContainerSpec(String name, String image, List<String> cmd, List<String> env, Map<String, String> labels,
        String network, @Nullable String ipv4, List<String> aliases, @Nullable String runtime, boolean hardened,
        List<Integer> publishedPorts, List<String> binds, List<String> dns) {
    /** The pids limit of a hardened container. */
    public static final long PIDS_LIMIT = 1024;

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
