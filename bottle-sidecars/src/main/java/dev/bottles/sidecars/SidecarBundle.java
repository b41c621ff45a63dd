package dev.bottles.sidecars;

import dev.bottles.manifest.BottleDefinition;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which daemons a bottle's bundle runs: egress and pipelock always, git-gate when the bottle
 * declares git upstreams, supervise when it turns supervise on.
 *
 * @param daemons the daemons, in {@link Daemon} order
 */
public record SidecarBundle(List<Daemon> daemons) {
    /** The container name prefix; the bundle is {@code claude-bottle-sidecars-<identity>}. */
    public static final String CONTAINER_PREFIX = "claude-bottle-sidecars-";
    /** The environment variable naming the daemons to start, read inside the bundle. */
    public static final String DAEMONS_ENV = "CLAUDE_BOTTLE_SIDECAR_DAEMONS";
    /** The environment variable giving the bundle its bottle's identity, for its log lines. */
    public static final String IDENTITY_ENV = "CLAUDE_BOTTLE_IDENTITY";
    /**
     * The environment variable that makes a bundle start warm: its JVM comes up, logs
     * {@code bundle-warm} and waits for the file this names (in a mounted directory) to hold the
     * rest of its environment, the bottle's secrets among them, before it starts any daemon.
     */
    public static final String AWAIT_ENV = "CLAUDE_BOTTLE_AWAIT_CONFIG";
    /** The file name a warm bundle waits for, in its egress directory. */
    public static final String AWAIT_FILE = "claim.env";

    /**
     * Orders and de-duplicates the daemons.
     *
     * @param daemons the daemons
     */
    public SidecarBundle {
        Set<Daemon> set = daemons.isEmpty() ? EnumSet.noneOf(Daemon.class) : EnumSet.copyOf(daemons);
        daemons = List.copyOf(set);
    }

    /**
     * Returns the bundle a bottle needs.
     *
     * @param bottle the bottle
     * @return its bundle
     */
    public static SidecarBundle forBottle(BottleDefinition bottle) {
        Set<Daemon> d = EnumSet.of(Daemon.EGRESS, Daemon.PIPELOCK);
        if (!bottle.git().isEmpty()) {
            d.add(Daemon.GIT_GATE);
        }
        if (bottle.supervise()) {
            d.add(Daemon.SUPERVISE);
        }
        return new SidecarBundle(List.copyOf(d));
    }

    /**
     * Tells whether the bundle runs a daemon.
     *
     * @param daemon the daemon
     * @return true when it runs
     */
    public boolean runs(Daemon daemon) {
        return daemons.contains(daemon);
    }

    /**
     * Returns the value of {@code CLAUDE_BOTTLE_SIDECAR_DAEMONS}.
     *
     * @return e.g. {@code egress,pipelock,git-gate}
     */
    public String daemonsCsv() {
        return daemons.stream().map(Daemon::wireName).collect(Collectors.joining(","));
    }

    /**
     * Returns the daemons the agent dials.
     *
     * @return the agent-facing daemons this bundle runs
     */
    public List<Daemon> agentFacing() {
        return daemons.stream().filter(Daemon::agentFacing).toList();
    }

    /**
     * Returns the bundle container's name.
     *
     * @param identity the bottle's identity
     * @return {@code claude-bottle-sidecars-<identity>}
     */
    public static String containerName(String identity) {
        return CONTAINER_PREFIX + identity;
    }
}
