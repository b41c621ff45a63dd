package dev.bottles.manifest;

import dev.bottles.ManifestException;
import dev.bottles.internal.Suggestions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Every bottle and agent visible to a launch, with the warnings their loading produced.
 *
 * <p>Load one from files with {@link #load(Path, Path)} or build one in code with
 * {@link #builder()}. Either way every agent names a defined bottle.
 *
 * @param bottles bottles by name, in load order
 * @param agents agents by name, in load order
 * @param warnings what loading skipped or ignored (bad file names, a repository's bottles dir)
 */
public record Manifest(
        Map<String, BottleDefinition> bottles, Map<String, AgentDefinition> agents, List<String> warnings) {

    /**
     * Validates that every agent names a defined bottle.
     *
     * @param bottles bottles by name, in load order
     * @param agents agents by name, in load order
     * @param warnings what loading skipped or ignored (bad file names, a repository's bottles dir)
     */
    public Manifest {
        bottles = Collections.unmodifiableMap(new LinkedHashMap<>(bottles));
        agents = Collections.unmodifiableMap(new LinkedHashMap<>(agents));
        warnings = List.copyOf(warnings);
        List<ManifestException> problems = new ArrayList<>();
        for (AgentDefinition a : agents.values()) {
            if (!bottles.containsKey(a.bottle())) {
                String hint = Suggestions.closest(a.bottle(), bottles.keySet())
                        .map(s -> "did you mean '" + s + "'? ")
                        .orElse("");
                String defined = bottles.isEmpty()
                        ? "no bottle is defined"
                        : "defined bottles: " + String.join(", ", bottles.keySet());
                problems.add(a.origin()
                        .locate(ManifestException.of(
                                "bottle",
                                "agent '" + a.name() + "' names bottle '" + a.bottle() + "', which is not defined ("
                                        + defined + ")",
                                hint + "create ~/.claude-bottle/bottles/" + a.bottle() + ".md or change 'bottle'")));
            }
        }
        if (!problems.isEmpty()) {
            throw ManifestException.combine(problems);
        }
    }

    /**
     * Loads the manifest from files.
     *
     * @param home the bottle home
     * @param cwd the directory whose {@code .claude-bottle/agents/} is also read
     * @return the manifest
     * @throws ManifestException when a definition is invalid
     * @see ManifestLoader
     */
    public static Manifest load(Path home, Path cwd) {
        return ManifestLoader.load(home, cwd);
    }

    /**
     * Starts building a manifest in code.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Looks up an agent.
     *
     * @param name the agent's name
     * @return the agent, if defined
     */
    public Optional<AgentDefinition> agent(String name) {
        return Optional.ofNullable(agents.get(name));
    }

    /**
     * Returns an agent, failing with a helpful message when it is not defined.
     *
     * @param name the agent's name
     * @return the agent
     * @throws ManifestException when no agent has that name
     */
    public AgentDefinition requireAgent(String name) {
        AgentDefinition a = agents.get(Objects.requireNonNull(name, "name"));
        if (a != null) {
            return a;
        }
        String hint = Suggestions.closest(name, agents.keySet())
                .map(s -> "did you mean '" + s + "'? ")
                .orElse("");
        String defined =
                agents.isEmpty() ? "no agent is defined" : "defined agents: " + String.join(", ", agents.keySet());
        throw ManifestException.of(
                "agent",
                "agent '" + name + "' is not defined (" + defined + ")",
                hint + "create ~/.claude-bottle/agents/" + name + ".md or <cwd>/.claude-bottle/agents/" + name + ".md");
    }

    /**
     * Returns the bottle an agent runs in.
     *
     * @param agentName the agent's name
     * @return its bottle
     * @throws ManifestException when the agent is not defined
     */
    public BottleDefinition bottleFor(String agentName) {
        String bottle = requireAgent(agentName).bottle();
        return Objects.requireNonNull(
                bottles.get(bottle),
                () -> "agent " + agentName + " names bottle " + bottle + ", which the manifest does not define");
    }

    /** The built-in agent and bottle that run Claude Code when the home defines neither. */
    public static final String CLAUDE = "claude";
    /** The host variable the built-in bottle takes Claude Code's token from ({@code claude setup-token}). */
    public static final String CLAUDE_TOKEN_ENV = "CLAUDE_BOTTLE_OAUTH_TOKEN";

    /**
     * Returns the built-in bottle {@value #CLAUDE}: Claude Code's API as its only route, with the
     * host's {@value #CLAUDE_TOKEN_ENV} injected by egress (the agent holds a placeholder), and
     * supervise on so the agent can ask for more.
     *
     * @return the bottle
     */
    public static BottleDefinition claudeBottle() {
        return BottleDefinition.builder(CLAUDE)
                .route(EgressRoute.to("api.anthropic.com")
                        .withRole(RouteRole.CLAUDE_CODE_OAUTH)
                        .withAuth(RouteAuth.bearer(CLAUDE_TOKEN_ENV)))
                .supervise(true)
                .build();
    }

    /**
     * Returns this manifest with the built-in agent and bottle {@value #CLAUDE} added, unless it
     * defines an agent or a bottle of that name itself (the user's own always wins).
     *
     * @return the manifest
     */
    public Manifest withBuiltIns() {
        if (agents.containsKey(CLAUDE) || bottles.containsKey(CLAUDE)) {
            return this;
        }
        Map<String, BottleDefinition> b = new LinkedHashMap<>(bottles);
        b.put(CLAUDE, claudeBottle());
        Map<String, AgentDefinition> a = new LinkedHashMap<>(agents);
        a.put(CLAUDE, AgentDefinition.builder(CLAUDE).bottle(CLAUDE).build());
        return new Manifest(b, a, warnings);
    }

    /** Builds a {@link Manifest} in code. */
    public static final class Builder {
        private final Map<String, BottleDefinition> bottles = new LinkedHashMap<>();
        private final Map<String, AgentDefinition> agents = new LinkedHashMap<>();

        private Builder() {}

        /**
         * Adds a bottle; a later bottle of the same name replaces an earlier one.
         *
         * @param bottle the bottle
         * @return this builder
         */
        public Builder bottle(BottleDefinition bottle) {
            bottles.put(bottle.name(), bottle);
            return this;
        }

        /**
         * Adds an agent; a later agent of the same name replaces an earlier one.
         *
         * @param agent the agent
         * @return this builder
         */
        public Builder agent(AgentDefinition agent) {
            agents.put(agent.name(), agent);
            return this;
        }

        /**
         * Builds the manifest.
         *
         * @return the manifest
         * @throws ManifestException when an agent names an undefined bottle
         */
        public Manifest build() {
            return new Manifest(bottles, agents, List.of());
        }
    }
}
