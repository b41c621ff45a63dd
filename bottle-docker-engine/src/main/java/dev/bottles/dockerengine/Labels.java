package dev.bottles.dockerengine;

import dev.bottles.state.Owner;
import java.util.LinkedHashMap;
import java.util.Map;

/** The labels every engine resource of a bottle carries ({@code docs/architecture.md} §4). */
public final class Labels {
    /** The bottle's identity. */
    public static final String IDENTITY = "dev.bottles.identity";
    /** The backend's id. */
    public static final String BACKEND = "dev.bottles.backend";
    /** network, bundle, agent, image or probe. */
    public static final String ROLE = "dev.bottles.role";
    /** The agent's name, on the agent container. */
    public static final String AGENT_NAME = "dev.bottles.agent";
    /** The bundle's daemons, on the bundle and agent containers. */
    public static final String SERVICES = "dev.bottles.services";
    /**
     * Marks an agent started for a warm pool: its environment is in {@link #WARM_ENV_FILE}, written
     * when a bottle claimed it, not in the container's.
     */
    public static final String WARM = "dev.bottles.warm";
    /** Where a claimed warm agent's environment is, one {@code NAME=value} per line. */
    public static final String WARM_ENV_FILE = "/etc/claude-bottle/agent.env";
    /**
     * The process that owns the bottle ({@link Owner}). The engine adds it to every container and
     * network that carries an identity, so no path that creates a bottle's resource can leave it
     * out.
     */
    public static final String OWNER = Owner.LABEL;
    /** The agent role. */
    public static final String AGENT = "agent";

    private Labels() {}

    /**
     * Returns the labels with this process as the bottle's owner, when they name a bottle and no
     * owner yet.
     *
     * @param labels a resource's labels
     * @return the labels to create it with
     */
    static Map<String, String> owned(Map<String, String> labels) {
        if (!labels.containsKey(IDENTITY) || labels.containsKey(OWNER)) {
            return labels;
        }
        Map<String, String> m = new LinkedHashMap<>(labels);
        m.put(OWNER, Owner.current().label());
        return m;
    }

    /**
     * Returns the labels of one resource.
     *
     * @param identity the bottle
     * @param backend the backend
     * @param role the resource's role
     * @return the labels
     */
    public static Map<String, String> of(String identity, String backend, String role) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(IDENTITY, identity);
        m.put(BACKEND, backend);
        m.put(ROLE, role);
        return m;
    }

    /**
     * Returns the labels of one resource of a bottle with a given owner label (a detached one's).
     *
     * @param identity the bottle
     * @param backend the backend
     * @param role the resource's role
     * @param owner the owner label's value ({@code Owner.label(boolean)})
     * @return the labels
     */
    public static Map<String, String> of(String identity, String backend, String role, String owner) {
        Map<String, String> m = of(identity, backend, role);
        m.put(OWNER, owner);
        return m;
    }
}
