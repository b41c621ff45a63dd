package dev.bottles.dockerengine;

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
    /** The agent role. */
    public static final String AGENT = "agent";

    private Labels() {}

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
}
