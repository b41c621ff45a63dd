package dev.bottles.manifest;

import dev.bottles.ManifestException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A bottle: the environment, git upstreams, egress routes and supervise switch an agent runs
 * with. Defined in {@code $BOTTLE_HOME/bottles/<name>.md} (never by a repository) or in code.
 *
 * @param name the bottle's name, {@code [a-z][a-z0-9-]*}
 * @param env the agent's environment, in declaration order
 * @param git the git upstreams git-gate serves, names unique
 * @param routes the allowed egress routes, hosts unique, at most one {@code claude_code_oauth}
 * @param supervise whether the supervise MCP server runs (default false, as in the original)
 * @param origin where the definition came from
 */
public record BottleDefinition(
        String name,
        Map<String, EnvValue> env,
        List<GitRemote> git,
        List<EgressRoute> routes,
        boolean supervise,
        Origin origin) {
    static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /**
     * Validates the definition; every problem found is reported at once.
     *
     * @param name the bottle's name, {@code [a-z][a-z0-9-]*}
     * @param env the agent's environment, in declaration order
     * @param git the git upstreams git-gate serves, names unique
     * @param routes the allowed egress routes, hosts unique, at most one {@code claude_code_oauth}
     * @param supervise whether the supervise MCP server runs (default false, as in the original)
     * @param origin where the definition came from
     */
    public BottleDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(origin, "origin");
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
        git = List.copyOf(git);
        routes = List.copyOf(routes);
        List<ManifestException> problems = new ArrayList<>();
        if (!NAME.matcher(name).matches()) {
            problems.add(ManifestException.of(
                    null,
                    "'" + name + "' is not a valid bottle name",
                    "use lower-case letters, digits and '-', starting with a letter"));
        }
        for (String key : env.keySet()) {
            if (!ENV_NAME.matcher(key).matches()) {
                problems.add(ManifestException.of(
                        "env." + key,
                        "'" + key + "' is not a valid environment variable name",
                        "use letters, digits and underscores, not starting with a digit"));
            }
        }
        Set<String> gitNames = new HashSet<>();
        for (int i = 0; i < git.size(); i++) {
            if (!gitNames.add(git.get(i).name())) {
                problems.add(ManifestException.of(
                        "git[" + i + "].Name",
                        "duplicate git Name '" + git.get(i).name() + "'",
                        "give each git entry its own Name"));
            }
        }
        Set<String> hosts = new HashSet<>();
        int oauth = 0;
        for (int i = 0; i < routes.size(); i++) {
            EgressRoute r = routes.get(i);
            if (!hosts.add(r.host())) {
                problems.add(ManifestException.of(
                        "egress.routes[" + i + "].host",
                        "duplicate route host '" + r.host() + "'",
                        "merge the two routes into one"));
            }
            if (r.role() == RouteRole.CLAUDE_CODE_OAUTH && ++oauth > 1) {
                problems.add(ManifestException.of(
                        "egress.routes[" + i + "].role",
                        "more than one route has role claude_code_oauth",
                        "keep the role on the one route that carries Claude Code's OAuth token"));
            }
        }
        if (!problems.isEmpty()) {
            throw origin.locate(ManifestException.combine(problems));
        }
    }

    /**
     * Starts building a bottle in code.
     *
     * @param name the bottle's name
     * @return a builder
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Builds a {@link BottleDefinition} in code. */
    public static final class Builder {
        private final String name;
        private final Map<String, EnvValue> env = new LinkedHashMap<>();
        private final List<GitRemote> git = new ArrayList<>();
        private final List<EgressRoute> routes = new ArrayList<>();
        private boolean supervise;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /**
         * Adds an env entry in any of the three forms.
         *
         * @param key the variable's name in the agent
         * @param value the value
         * @return this builder
         */
        public Builder env(String key, EnvValue value) {
            env.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Adds a literal env entry.
         *
         * @param key the variable's name in the agent
         * @param value the value, used verbatim
         * @return this builder
         */
        public Builder literal(String key, String value) {
            return env(key, new EnvValue.Literal(value));
        }

        /**
         * Adds an env entry copied from a host variable at prepare.
         *
         * @param key the variable's name in the agent
         * @param hostVariable the host variable's name
         * @return this builder
         */
        public Builder fromHost(String key, String hostVariable) {
            return env(key, new EnvValue.HostVariable(hostVariable));
        }

        /**
         * Adds an env entry asked for through the {@code SecretPrompter} at prepare.
         *
         * @param key the variable's name in the agent
         * @param prompt the text to show; empty for the default
         * @return this builder
         */
        public Builder secret(String key, String prompt) {
            return env(key, new EnvValue.Secret(prompt));
        }

        /**
         * Adds a git upstream.
         *
         * @param remote the upstream
         * @return this builder
         */
        public Builder git(GitRemote remote) {
            git.add(Objects.requireNonNull(remote, "remote"));
            return this;
        }

        /**
         * Adds an egress route.
         *
         * @param route the route
         * @return this builder
         */
        public Builder route(EgressRoute route) {
            routes.add(Objects.requireNonNull(route, "route"));
            return this;
        }

        /**
         * Turns the supervise MCP server on or off.
         *
         * @param on whether supervise runs
         * @return this builder
         */
        public Builder supervise(boolean on) {
            this.supervise = on;
            return this;
        }

        /**
         * Builds the bottle.
         *
         * @return the bottle
         * @throws ManifestException when the definition is invalid
         */
        public BottleDefinition build() {
            return new BottleDefinition(name, env, git, routes, supervise, Origin.inCode());
        }
    }
}
