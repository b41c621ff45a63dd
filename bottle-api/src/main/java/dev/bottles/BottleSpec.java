package dev.bottles;

import dev.bottles.manifest.Manifest;
import dev.bottles.state.BottleHome;
import dev.bottles.state.BottleMetadata;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What to run: the agent, the definitions to find it in, and how.
 *
 * <pre>{@code
 * BottleSpec spec = BottleSpec.builder("researcher")
 *         .userCwd(Path.of("/work/project"))
 *         .copyCwd(true)
 *         .build();
 * }</pre>
 *
 * @param agent the agent's name
 * @param manifest the definitions, or null to load them from the bottle home and
 *     {@code <userCwd>/.claude-bottle/agents/} at prepare
 * @param identity the identity to resume, or null for a fresh one
 * @param copyCwd whether to copy {@code userCwd} into the bottle's workspace
 * @param userCwd the directory the agent works on
 * @param backend the backend's id, or null to choose by system property, environment, then
 *     priority
 * @param settings named knobs that win over the host environment (e.g.
 *     {@code CLAUDE_BOTTLE_IMAGE})
 * @param secretPrompter asks for {@code ?secret} env values, or null when none may be asked
 * @param home the bottle home, or null to resolve it ({@code bottle.home}, {@code BOTTLE_HOME},
 *     {@code ~/.claude-bottle})
 * @param hostEnvironment the host environment (the process's by default); forwarded values and
 *     route tokens are read from it
 * @param listeners who hears about each phase
 * @param approvals decides the agent's supervise proposals while the bottle runs, or null for none
 *     (they then wait in the queue, e.g. for {@link RunningBottle#onApproval})
 * @param detached whether the bottle outlives the program that launches it: no exit hook closes
 *     it, and it is live while it runs, until {@code bottle stop} or a cleanup after it stopped
 */
public record BottleSpec(
        String agent,
        @Nullable Manifest manifest,
        @Nullable String identity,
        boolean copyCwd,
        Path userCwd,
        @Nullable String backend,
        Map<String, String> settings,
        @Nullable SecretPrompter secretPrompter,
        @Nullable Path home,
        Map<String, String> hostEnvironment,
        List<BottleListener> listeners,
        @Nullable ApprovalHandler approvals,
        boolean detached) {

    /**
     * Validates and copies.
     *
     * @param agent the agent's name
     * @param manifest the definitions, or null to load them from the bottle home and
     *     {@code <userCwd>/.claude-bottle/agents/} at prepare
     * @param identity the identity to resume, or null for a fresh one
     * @param copyCwd whether to copy {@code userCwd} into the bottle's workspace
     * @param userCwd the directory the agent works on
     * @param backend the backend's id, or null to choose by system property, environment, then
     *     priority
     * @param settings named knobs that win over the host environment (e.g.
     *     {@code CLAUDE_BOTTLE_IMAGE})
     * @param secretPrompter asks for {@code ?secret} env values, or null when none may be asked
     * @param home the bottle home, or null to resolve it ({@code bottle.home}, {@code BOTTLE_HOME},
     *     {@code ~/.claude-bottle})
     * @param hostEnvironment the host environment (the process's by default); forwarded values and
     *     route tokens are read from it
     * @param listeners who hears about each phase
     * @param approvals decides supervise proposals, or null
     * @param detached whether the bottle outlives the program that launches it
     */
    public BottleSpec {
        Objects.requireNonNull(agent, "agent");
        userCwd = Objects.requireNonNull(userCwd, "userCwd").toAbsolutePath().normalize();
        settings = Map.copyOf(settings);
        hostEnvironment = Map.copyOf(hostEnvironment);
        listeners = List.copyOf(listeners);
        if (agent.isBlank()) {
            throw new IllegalArgumentException("agent must not be blank");
        }
    }

    /**
     * Starts a spec for an agent.
     *
     * @param agent the agent's name
     * @return a builder
     */
    public static Builder builder(String agent) {
        return new Builder(agent);
    }

    /**
     * Starts a spec that resumes a bottle from its {@code metadata.json}: same identity, agent,
     * cwd, copy-cwd and backend.
     *
     * @param home the bottle home
     * @param identity the bottle to resume
     * @return a builder pre-filled from the metadata
     * @throws BottleException when the bottle has no state to resume
     */
    public static Builder resuming(BottleHome home, String identity) {
        BottleMetadata m = home.state(identity)
                .readMetadata()
                .orElseThrow(() -> new BottleException("bottle '" + identity + "' has no state to resume in "
                        + home.state(identity).path() + "; list resumable bottles under " + home.stateRoot()));
        Builder b = new Builder(m.agentName())
                .identity(m.identity())
                .home(home.root())
                .backend(m.backend())
                .copyCwd(m.copyCwd());
        if (!m.cwd().isEmpty()) {
            b.userCwd(Path.of(m.cwd()));
        }
        return b;
    }

    /**
     * Returns a builder holding this spec's values.
     *
     * @return a builder
     */
    public Builder toBuilder() {
        Builder b = new Builder(agent);
        b.manifest = manifest;
        b.identity = identity;
        b.copyCwd = copyCwd;
        b.userCwd = userCwd;
        b.backend = backend;
        b.settings = settings;
        b.secretPrompter = secretPrompter;
        b.home = home;
        b.hostEnvironment = hostEnvironment;
        b.listeners = new ArrayList<>(listeners);
        b.approvals = approvals;
        b.detached = detached;
        return b;
    }

    @Override
    public String toString() {
        return "BottleSpec[agent=" + agent + ", identity=" + identity + ", copyCwd=" + copyCwd + ", userCwd=" + userCwd
                + ", backend=" + backend + ", settings=" + settings.keySet() + ", home=" + home
                + (detached ? ", detached" : "") + "]";
    }

    /** Builds a {@link BottleSpec}. */
    public static final class Builder {
        private final String agent;
        private @Nullable Manifest manifest;
        private @Nullable String identity;
        private boolean copyCwd;
        private boolean detached;
        private Path userCwd = Path.of("").toAbsolutePath();
        private @Nullable String backend;
        private Map<String, String> settings = Map.of();
        private @Nullable SecretPrompter secretPrompter;
        private @Nullable Path home;
        private @Nullable Map<String, String> hostEnvironment;
        private List<BottleListener> listeners = new ArrayList<>();
        private @Nullable ApprovalHandler approvals;

        private Builder(String agent) {
            this.agent = Objects.requireNonNull(agent, "agent");
        }

        /**
         * Uses these definitions instead of loading them from files.
         *
         * @param m the definitions
         * @return this builder
         */
        public Builder manifest(Manifest m) {
            this.manifest = Objects.requireNonNull(m, "m");
            return this;
        }

        /**
         * Resumes the bottle with this identity instead of minting a fresh one.
         *
         * @param id the identity
         * @return this builder
         */
        public Builder identity(String id) {
            this.identity = Objects.requireNonNull(id, "id");
            return this;
        }

        /**
         * Copies {@link #userCwd(Path)} into the bottle's workspace.
         *
         * @param copy whether to copy
         * @return this builder
         */
        public Builder copyCwd(boolean copy) {
            this.copyCwd = copy;
            return this;
        }

        /**
         * Sets the directory the agent works on (default: the process's working directory).
         *
         * @param dir the directory
         * @return this builder
         */
        public Builder userCwd(Path dir) {
            this.userCwd = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /**
         * Chooses the backend by id, skipping the system property, environment and priority.
         *
         * @param id e.g. {@code docker}
         * @return this builder
         */
        public Builder backend(String id) {
            this.backend = Objects.requireNonNull(id, "id");
            return this;
        }

        /**
         * Sets named knobs that win over the host environment.
         *
         * @param values e.g. {@code Map.of("CLAUDE_BOTTLE_IMAGE", "my-agent:1")}
         * @return this builder
         */
        public Builder settings(Map<String, String> values) {
            this.settings = Map.copyOf(values);
            return this;
        }

        /**
         * Sets one named knob, keeping the others.
         *
         * @param name e.g. {@code CLAUDE_BOTTLE_IMAGE}
         * @param value its value
         * @return this builder
         */
        public Builder setting(String name, String value) {
            Map<String, String> m = new LinkedHashMap<>(settings);
            m.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            this.settings = m;
            return this;
        }

        /**
         * Sets who asks for {@code ?secret} env values.
         *
         * @param prompter the prompter, e.g. {@link SecretPrompter#console()}
         * @return this builder
         */
        public Builder secretPrompter(SecretPrompter prompter) {
            this.secretPrompter = Objects.requireNonNull(prompter, "prompter");
            return this;
        }

        /**
         * Sets the bottle home.
         *
         * @param dir the directory
         * @return this builder
         */
        public Builder home(Path dir) {
            this.home = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /**
         * Replaces the host environment (the process's by default), e.g. in tests.
         *
         * @param env the environment
         * @return this builder
         */
        public Builder hostEnvironment(Map<String, String> env) {
            this.hostEnvironment = Map.copyOf(env);
            return this;
        }

        /**
         * Adds a listener for each phase.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder listener(BottleListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Sets who decides the agent's supervise proposals while the bottle runs.
         *
         * @param handler the handler
         * @return this builder
         */
        public Builder approvals(ApprovalHandler handler) {
            this.approvals = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * Lets the bottle outlive the program that launches it (the original's bottles outlived
         * its CLI): no exit hook closes it, and another program's cleanup keeps it while it runs.
         * Reach it with {@code Bottles.reach} ({@code bottle attach}, {@code bottle stop}); its
         * backend must implement {@code find}.
         *
         * @param detach whether to detach
         * @return this builder
         */
        public Builder detach(boolean detach) {
            this.detached = detach;
            return this;
        }

        /**
         * Builds the spec.
         *
         * @return the spec
         */
        public BottleSpec build() {
            return new BottleSpec(
                    agent,
                    manifest,
                    identity,
                    copyCwd,
                    userCwd,
                    backend,
                    settings,
                    secretPrompter,
                    home,
                    hostEnvironment == null ? System.getenv() : hostEnvironment,
                    listeners,
                    approvals,
                    detached);
        }
    }
}
