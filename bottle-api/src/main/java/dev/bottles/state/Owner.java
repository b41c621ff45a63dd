package dev.bottles.state;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The process that owns a bottle: the one that launched it, on one host. Every runtime resource of
 * a bottle carries it as the label {@value #LABEL}, so any later program, on this host or another
 * sharing the engine, can judge whether the bottle is live: its owner runs, or it does not.
 *
 * @param host the owner's host name
 * @param pid the owner's process id
 * @param started when the owner process started, to the millisecond (a reused pid has another)
 */
public record Owner(String host, long pid, Instant started) {
    /** The label every runtime resource of a bottle carries. */
    public static final String LABEL = "dev.bottles.owner";
    /** Prefixes the launcher's label on a detached bottle's resources. */
    public static final String DETACHED = "detached/";
    /** How often a living owner renews the lease in each of its bottles' state dirs. */
    public static final Duration LEASE_RENEWAL = Duration.ofSeconds(5);
    /**
     * How long a lease holds without renewal: an owner on another host whose lease is older is
     * taken for dead.
     */
    public static final Duration LEASE_TERM = Duration.ofSeconds(30);

    private static final String LOCAL_HOST = hostName();
    private static final Owner CURRENT = of(ProcessHandle.current());

    /**
     * Checks the fields.
     *
     * @param host the owner's host name
     * @param pid the owner's process id
     * @param started when the owner process started
     */
    public Owner {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(started, "started");
        if (host.isBlank() || host.contains("/")) {
            throw new IllegalArgumentException("a host name without '/': " + host);
        }
    }

    /**
     * Returns this process as an owner.
     *
     * @return the owner
     */
    public static Owner current() {
        return CURRENT;
    }

    private static Owner of(ProcessHandle p) {
        Instant started = p.info().startInstant().orElse(Instant.EPOCH);
        return new Owner(localHost(), p.pid(), Instant.ofEpochMilli(started.toEpochMilli()));
    }

    /**
     * Returns this host's name as owners record it.
     *
     * @return the host name, lower case
     */
    public static String localHost() {
        return LOCAL_HOST;
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        String name;
        try {
            name = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            name = env != null && !env.isBlank() ? env : "localhost";
        }
        return name.toLowerCase(Locale.ROOT).replace('/', '-');
    }

    /**
     * Reads an owner from its label value.
     *
     * @param label {@code <host>/<pid>/<start epoch ms>}
     * @return the owner, or empty when the value is not one
     */
    public static Optional<Owner> parse(String label) {
        String[] parts = label.split("/", -1);
        if (parts.length != 3) {
            return Optional.empty();
        }
        try {
            return Optional.of(
                    new Owner(parts[0], Long.parseLong(parts[1]), Instant.ofEpochMilli(Long.parseLong(parts[2]))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Returns the label value.
     *
     * @return {@code <host>/<pid>/<start epoch ms>}
     */
    public String label() {
        return host + "/" + pid + "/" + started.toEpochMilli();
    }

    /**
     * Judges whether a runtime resource with these labels belongs to a live bottle. With an owner
     * label, the owner decides ({@link #mayBeAlive()}), whatever runs: a crashed owner's agent
     * keeps running, and a launching bottle's agent does not run yet. A detached bottle is live
     * while it runs, or while its launcher may be launching it. Without a label (a bottle from
     * before owners were recorded), a running resource is live.
     *
     * @param labels the resource's labels
     * @param running whether the resource runs
     * @return whether the bottle must be kept
     */
    public static boolean keeps(Map<String, String> labels, boolean running) {
        String label = labels.get(LABEL);
        if (label == null) {
            return running;
        }
        if (label.startsWith(DETACHED)) {
            // its own while it runs; its launcher's while that one launches it
            return running
                    || parse(label.substring(DETACHED.length()))
                            .map(Owner::mayBeAlive)
                            .orElse(true);
        }
        return parse(label).map(Owner::mayBeAlive).orElse(true);
    }

    /**
     * Tells whether this owner runs on this host, where its process can be checked exactly.
     *
     * @return whether its host is {@link #localHost()}
     */
    public boolean onThisHost() {
        return host.equals(localHost());
    }

    /**
     * Returns the label value for a bottle this owner launches.
     *
     * @param detached whether the bottle outlives its launcher
     * @return {@link #label()}, prefixed with {@value #DETACHED} when detached
     */
    public String label(boolean detached) {
        return detached ? DETACHED + label() : label();
    }

    /**
     * Tells whether this owner may still be running, as far as this process can see. On this host
     * the answer is exact: the process with that pid runs and started at that moment. Another
     * host's owner cannot be checked from here, so it counts as running: a bottle is never taken
     * from an owner that might be alive.
     *
     * @return false only when the owner is known to be gone
     */
    public boolean mayBeAlive() {
        if (!onThisHost()) {
            return true;
        }
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .flatMap(p -> p.info().startInstant())
                .map(s -> s.toEpochMilli() == started.toEpochMilli() || started.equals(Instant.EPOCH))
                .orElse(false);
    }

    /**
     * Tells whether this owner may still be running, helped by the lease it renews in its bottle's
     * state dir. On this host the process check decides ({@link #mayBeAlive()}). For another host's
     * owner, a lease renewed within {@link #LEASE_TERM} keeps it alive and an older one does not;
     * without any lease (a state from before leases), it counts as alive.
     *
     * @param lease when the owner last renewed its lease, if it ever did
     * @param now the time to judge at
     * @return false only when the owner is known to be gone
     */
    public boolean mayBeAlive(Optional<Instant> lease, Instant now) {
        if (onThisHost()) {
            return mayBeAlive();
        }
        return lease.map(l -> l.plus(LEASE_TERM).isAfter(now)).orElse(true);
    }
}
