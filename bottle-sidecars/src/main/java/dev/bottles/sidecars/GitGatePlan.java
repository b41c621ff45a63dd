package dev.bottles.sidecars;

import dev.bottles.manifest.GitUpstream;
import dev.bottles.state.SecureFiles;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * What {@link GitGate} prepared for one bottle.
 *
 * @param configFile the rendered {@code upstreams.json} on the host
 * @param knownHosts the rendered {@code known_hosts} on the host
 * @param keysDir the gate's copies of the identity files (each 0600)
 * @param config the configuration written to {@code configFile}
 */
public record GitGatePlan(Path configFile, Path knownHosts, Path keysDir, GitGateConfig config) {

    /**
     * Validates the plan.
     *
     * @param configFile the rendered {@code upstreams.json}
     * @param knownHosts the rendered {@code known_hosts}
     * @param keysDir the keys directory
     * @param config the configuration
     */
    public GitGatePlan {
        Objects.requireNonNull(configFile, "configFile");
        Objects.requireNonNull(knownHosts, "knownHosts");
        Objects.requireNonNull(keysDir, "keysDir");
        Objects.requireNonNull(config, "config");
    }

    /**
     * Returns the directory holding the plan's files.
     *
     * @return the {@code git-gate/} state subdirectory
     */
    public Path directory() {
        return SecureFiles.parent(configFile);
    }

    /**
     * Renders the agent's git configuration that sends every declared upstream to the gate:
     * {@code url."git://<gate>/<credential>/<name>".insteadOf <upstream>}, also for the URL without
     * {@code .git} and, on port 22, for the scp form {@code user@host:path}. The gate serves only
     * paths that start with the bottle's access credential.
     *
     * @param gate where the agent reaches the gate
     * @param access the bottle's access credential
     * @return text for the agent's {@code ~/.gitconfig}
     */
    public String agentGitConfig(HostPort gate, BundleAccess access) {
        StringBuilder sb =
                new StringBuilder("# Declared upstreams go through the bottle's git gate (rendered by bottles).\n");
        for (GitGateConfig.Repo r : config.repos()) {
            sb.append("[url \"")
                    .append(gateUrl(gate, access))
                    .append('/')
                    .append(r.name())
                    .append("\"]\n");
            for (String from : aliases(r.upstream())) {
                sb.append("\tinsteadOf = ").append(from).append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * Returns the agent's {@code GIT_GATE_URL}.
     *
     * @param gate where the agent reaches the gate
     * @param access the bottle's access credential
     * @return e.g. {@code git://192.168.42.2:9418/<credential>}
     */
    public static String gateUrl(HostPort gate, BundleAccess access) {
        return "git://" + gate + "/" + access.token();
    }

    private static Set<String> aliases(GitUpstream u) {
        Set<String> out = new LinkedHashSet<>();
        out.add(u.url());
        out.add("ssh://" + u.user() + "@" + u.host() + ":" + u.port() + u.path());
        if (u.port() == 22) {
            out.add(u.user() + "@" + u.host() + ":" + u.path().substring(1));
        }
        if (u.path().endsWith(".git")) {
            for (String s : Set.copyOf(out)) {
                out.add(s.substring(0, s.length() - 4));
            }
        }
        return out;
    }
}
