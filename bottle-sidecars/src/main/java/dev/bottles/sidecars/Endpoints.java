package dev.bottles.sidecars;

import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where the agent reaches the bundle's agent-facing daemons: the bundle's pinned IP and container
 * ports on docker; the host gateway and the published host ports on smolmachines.
 *
 * @param egress the egress proxy
 * @param gitGate the git gate, or null when the bottle declares no git upstream
 * @param supervise the supervise MCP server, or null when supervise is off
 */
public record Endpoints(
        HostPort egress,
        @Nullable HostPort gitGate,
        @Nullable HostPort supervise) {

    /**
     * Validates the endpoints.
     *
     * @param egress the egress proxy
     * @param gitGate the git gate, or null
     * @param supervise the supervise server, or null
     */
    public Endpoints {
        Objects.requireNonNull(egress, "egress");
    }

    /**
     * Returns the endpoints of a bundle the agent reaches directly at its IP (docker).
     *
     * @param bundleIp the bundle's pinned address
     * @param bundle the daemons it runs
     * @return the endpoints, at the daemons' own ports
     */
    public static Endpoints inBundle(String bundleIp, SidecarBundle bundle) {
        return new Endpoints(
                new HostPort(bundleIp, Daemon.EGRESS.port()),
                bundle.runs(Daemon.GIT_GATE) ? new HostPort(bundleIp, Daemon.GIT_GATE.port()) : null,
                bundle.runs(Daemon.SUPERVISE) ? new HostPort(bundleIp, Daemon.SUPERVISE.port()) : null);
    }

    /**
     * Returns the endpoints of a bundle whose ports are published on the host (smolmachines).
     *
     * @param host the address the agent dials for the host, e.g. smolvm's {@code 100.96.0.1}
     * @param hostPorts the host port each agent-facing daemon was published on
     * @param bundle the daemons it runs
     * @return the endpoints
     * @throws IllegalArgumentException when a daemon the bundle runs has no published port
     */
    public static Endpoints published(String host, Map<Daemon, Integer> hostPorts, SidecarBundle bundle) {
        return new Endpoints(
                new HostPort(host, port(hostPorts, Daemon.EGRESS)),
                bundle.runs(Daemon.GIT_GATE) ? new HostPort(host, port(hostPorts, Daemon.GIT_GATE)) : null,
                bundle.runs(Daemon.SUPERVISE) ? new HostPort(host, port(hostPorts, Daemon.SUPERVISE)) : null);
    }

    private static int port(Map<Daemon, Integer> ports, Daemon d) {
        Integer p = ports.get(d);
        if (p == null) {
            throw new IllegalArgumentException(d.wireName() + " runs but has no published host port");
        }
        return p;
    }

    /**
     * Returns the proxy URL the agent's {@code HTTPS_PROXY} names.
     *
     * @return e.g. {@code http://192.168.42.2:8080}
     */
    public String proxyUrl() {
        return "http://" + egress;
    }
}
