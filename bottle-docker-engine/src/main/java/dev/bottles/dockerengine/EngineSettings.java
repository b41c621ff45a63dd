package dev.bottles.dockerengine;

/**
 * The settings the engine parts read, the same for every backend that runs its bundle on a Docker
 * engine (set on the {@code BottleSpec} or in the environment). {@code DockerSettings} repeats them
 * for the docker backend's users.
 */
public final class EngineSettings {
    /** The engine's address, as docker's own tools read it. */
    public static final String DOCKER_HOST = "DOCKER_HOST";
    /** How long launch waits for the bundle to report its daemons ready; default 60 (seconds). */
    public static final String BUNDLE_READY_SECONDS = "CLAUDE_BOTTLE_BUNDLE_READY_SECONDS";
    /** The SDK bundle image's recipe: {@code offline} (default, no registry) or {@code jre}. */
    public static final String BUNDLE_RECIPE = "CLAUDE_BOTTLE_SIDECAR_RECIPE";
    /** The JRE recipe's base image; default {@code eclipse-temurin:17-jre}. */
    public static final String BUNDLE_JRE_BASE = "CLAUDE_BOTTLE_SIDECAR_JRE_BASE";
    /** The bundle container's memory limit, e.g. {@code 384m} (the default) or {@code 1g}. */
    public static final String BUNDLE_MEMORY = "CLAUDE_BOTTLE_BUNDLE_MEMORY";
    /** The bundle container's pids limit (default 256). */
    public static final String BUNDLE_PIDS = "CLAUDE_BOTTLE_BUNDLE_PIDS";
    /** The agent container's memory limit, e.g. {@code 4g}; unset (the default) for none. */
    public static final String AGENT_MEMORY = "CLAUDE_BOTTLE_AGENT_MEMORY";
    /** The agent container's pids limit (default 1024). */
    public static final String AGENT_PIDS = "CLAUDE_BOTTLE_AGENT_PIDS";

    private EngineSettings() {}
}
