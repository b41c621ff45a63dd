package dev.bottles.docker;

import dev.bottles.claude.ClaudeCode;
import dev.bottles.dockerengine.EngineSettings;

/** The settings the docker backend reads (set on the {@code BottleSpec} or in the environment). */
public final class DockerSettings {
    /** The agent's image; default the SDK's own, {@code claude-bottle:<content hash>}, built on first use. */
    public static final String IMAGE = "CLAUDE_BOTTLE_IMAGE";
    /** The image holding a copy of the cwd; default {@code claude-bottle:cwd-<identity>}. */
    public static final String DERIVED_IMAGE = "CLAUDE_BOTTLE_DERIVED_IMAGE";
    /** Pins the agent container's name; preparing fails if a container of that name exists. */
    public static final String CONTAINER = "CLAUDE_BOTTLE_CONTAINER";
    /** The agent user's home in the container; default {@code /home/node}. */
    public static final String CONTAINER_HOME = "CLAUDE_BOTTLE_CONTAINER_HOME";
    /** The user commands run as; default the image's. */
    public static final String CONTAINER_USER = "CLAUDE_BOTTLE_CONTAINER_USER";
    /** The uid owning the files provisioned into the home; default 1000 ({@code node}). */
    public static final String CONTAINER_UID = "CLAUDE_BOTTLE_CONTAINER_UID";
    /** The egress networks' /16; default {@code 10.213.0.0/16}. */
    public static final String EGRESS_SUBNET_BASE = "BOTTLE_EGRESS_SUBNET_BASE";
    /** {@code auto} (default: gVisor when it works), {@code runsc}, or {@code default}. */
    public static final String RUNTIME = "BOTTLE_RUNTIME";
    /** How long launch waits for the bundle to report its daemons ready; default 60 (seconds). */
    public static final String BUNDLE_READY_SECONDS = EngineSettings.BUNDLE_READY_SECONDS;
    /** The SDK bundle image's recipe: {@code offline} (default, no registry) or {@code jre}. */
    public static final String BUNDLE_RECIPE = EngineSettings.BUNDLE_RECIPE;
    /** The JRE recipe's base image; default {@code eclipse-temurin:17-jre}. */
    public static final String BUNDLE_JRE_BASE = EngineSettings.BUNDLE_JRE_BASE;
    /** The engine's address, as docker's own tools read it. */
    public static final String DOCKER_HOST = EngineSettings.DOCKER_HOST;

    /** The bundle container's memory limit, e.g. {@code 384m} (the default) or {@code 1g}. */
    public static final String BUNDLE_MEMORY = EngineSettings.BUNDLE_MEMORY;
    /** The bundle container's pids limit (default 256). */
    public static final String BUNDLE_PIDS = EngineSettings.BUNDLE_PIDS;
    /** The agent container's memory limit, e.g. {@code 4g}; unset (the default) for none. */
    public static final String AGENT_MEMORY = EngineSettings.AGENT_MEMORY;
    /** The agent container's pids limit (default 1024). */
    public static final String AGENT_PIDS = EngineSettings.AGENT_PIDS;
    /** The SDK agent image's recipe: {@code offline} (default, no image registry) or {@code registry}. */
    public static final String AGENT_RECIPE = "CLAUDE_BOTTLE_AGENT_RECIPE";
    /** The Claude Code version the SDK's agent image installs; default pinned by the SDK. */
    public static final String CLAUDE_CODE_VERSION = ClaudeCode.VERSION_SETTING;
    /** The registry recipe's Node base image; default {@code node:20-bookworm-slim}. */
    public static final String AGENT_NODE_BASE = "CLAUDE_BOTTLE_AGENT_NODE_BASE";
    /** The npm the offline agent image recipe fetches Claude Code with; default {@code npm} on the PATH. */
    public static final String NPM = "CLAUDE_BOTTLE_NPM";

    private DockerSettings() {}
}
