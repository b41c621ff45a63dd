package dev.bottles.sidecars;

import java.util.Locale;

/** The daemons a sidecar bundle can run, with their ports ({@code docs/architecture.md} §1). */
public enum Daemon {
    /** The agent's HTTP(S) proxy; injects credentials. */
    EGRESS("egress", 8080, true),
    /** Hostname allowlist and DLP; the last hop, reached only from egress on the bundle's loopback. */
    PIPELOCK("pipelock", 8888, false),
    /** The {@code git://} gate serving only the declared upstreams. */
    GIT_GATE("git-gate", 9418, true),
    /** The MCP server through which the agent proposes capability changes. */
    SUPERVISE("supervise", 9100, true);

    private final String wireName;
    private final int port;
    private final boolean agentFacing;

    Daemon(String wireName, int port, boolean agentFacing) {
        this.wireName = wireName;
        this.port = port;
        this.agentFacing = agentFacing;
    }

    /**
     * Returns the daemon's name as used in {@code CLAUDE_BOTTLE_SIDECAR_DAEMONS} and state dirs.
     *
     * @return e.g. {@code git-gate}
     */
    public String wireName() {
        return wireName;
    }

    /**
     * Returns the port the daemon listens on inside the bundle.
     *
     * @return the port
     */
    public int port() {
        return port;
    }

    /**
     * Tells whether the agent dials this daemon (and so whether the port is reachable from it).
     *
     * @return true for egress, git-gate and supervise
     */
    public boolean agentFacing() {
        return agentFacing;
    }

    /**
     * Looks a daemon up by its wire name.
     *
     * @param name e.g. {@code egress}
     * @return the daemon
     * @throws IllegalArgumentException for an unknown name
     */
    public static Daemon named(String name) {
        for (Daemon d : values()) {
            if (d.wireName.equals(name.strip().toLowerCase(Locale.ROOT))) {
                return d;
            }
        }
        throw new IllegalArgumentException(
                "unknown sidecar daemon '" + name + "'; known: egress, pipelock, git-gate," + " supervise");
    }
}
