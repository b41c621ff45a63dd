package dev.bottles.sidecars;

import dev.bottles.ManifestException;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.RouteRole;
import dev.bottles.spi.ResolvedEnv;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Composes the agent's environment from the sidecar plans and where the agent reaches them: the
 * proxy, the CA trust variables, the git gate and supervise URLs, the placeholders standing in for
 * real credentials, the telemetry defaults, then the bottle's literals. Forwarded values
 * ({@code ${HOST_VAR}} and secrets) are not in it: backends pass them by name. No real credential
 * ever appears in it.
 */
public final class AgentEnvironment {
    /** Where the egress CA certificate is installed in the agent. */
    public static final String CA_CERT_PATH = "/usr/local/share/ca-certificates/claude-bottle-egress.crt";
    /**
     * The agent's system trust bundle, which provisioning extends with the egress CA. OpenSSL-based
     * clients get this bundle (not the egress CA alone) because hosts without a credential are
     * spliced, not intercepted, and still present their public certificates.
     */
    public static final String CA_BUNDLE_PATH = "/etc/ssl/certs/ca-certificates.crt";
    /** Variables the SDK sets in the agent; a bottle may not set them. */
    public static final Set<String> RESERVED = Set.of(
            "HTTPS_PROXY",
            "HTTP_PROXY",
            "https_proxy",
            "http_proxy",
            "NO_PROXY",
            "no_proxy",
            "ALL_PROXY",
            "all_proxy",
            "NODE_EXTRA_CA_CERTS",
            "SSL_CERT_FILE",
            "REQUESTS_CA_BUNDLE",
            "CURL_CA_BUNDLE",
            "GIT_GATE_URL",
            "MCP_SUPERVISE_URL");

    private AgentEnvironment() {}

    /**
     * Refuses a bottle whose {@code env} sets a variable the SDK owns, or that would put the real
     * Claude Code token into the agent beside a {@code claude_code_oauth} route.
     *
     * @param bottle the bottle
     * @throws ManifestException naming each such variable
     */
    public static void checkReserved(BottleDefinition bottle) {
        List<ManifestException> problems = new ArrayList<>();
        for (String name : bottle.env().keySet()) {
            if (RESERVED.contains(name)) {
                problems.add(ManifestException.of(
                        "env." + name,
                        name + " is set by bottles to route the agent" + " through its sidecars",
                        "remove it from env"));
            }
        }
        boolean oauth = bottle.routes().stream().anyMatch(r -> r.role() == RouteRole.CLAUDE_CODE_OAUTH);
        if (oauth && bottle.env().containsKey(Egress.OAUTH_ENV)) {
            problems.add(ManifestException.of(
                    "env." + Egress.OAUTH_ENV,
                    "the bottle has a claude_code_oauth route,"
                            + " so the agent gets a placeholder and egress injects the real token",
                    "remove " + Egress.OAUTH_ENV + " from env; the token must never enter the bottle"));
        }
        if (!problems.isEmpty()) {
            throw bottle.origin().locate(ManifestException.combine(problems));
        }
    }

    /**
     * Composes the agent's environment.
     *
     * @param plans the bottle's sidecar plans
     * @param endpoints where the agent reaches the bundle
     * @param env the bottle's resolved environment; only its literals are used
     * @return the variables, in order
     */
    public static Map<String, String> compose(SidecarPlans plans, Endpoints endpoints, ResolvedEnv env) {
        Map<String, String> out = new LinkedHashMap<>();
        String proxy = plans.access().proxyUrl(endpoints.egress());
        for (String k : List.of("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy")) {
            out.put(k, proxy);
        }
        Set<String> noProxy = new LinkedHashSet<>(List.of("localhost", "127.0.0.1"));
        if (endpoints.gitGate() != null) {
            noProxy.add(endpoints.gitGate().host());
        }
        if (endpoints.supervise() != null) {
            noProxy.add(endpoints.supervise().host());
        }
        out.put("NO_PROXY", String.join(",", noProxy));
        out.put("no_proxy", String.join(",", noProxy));
        out.put("NODE_EXTRA_CA_CERTS", CA_CERT_PATH);
        out.put("SSL_CERT_FILE", CA_BUNDLE_PATH);
        out.put("REQUESTS_CA_BUNDLE", CA_BUNDLE_PATH);
        out.put("CURL_CA_BUNDLE", CA_BUNDLE_PATH);
        if (plans.gitGate() != null && endpoints.gitGate() != null) {
            out.put("GIT_GATE_URL", GitGatePlan.gateUrl(endpoints.gitGate(), plans.access()));
        }
        if (plans.supervise() != null && endpoints.supervise() != null) {
            out.put("MCP_SUPERVISE_URL", plans.supervise().url(endpoints.supervise()));
        }
        out.putAll(plans.egress().agentPlaceholders());
        out.putAll(plans.egress().agentDefaults());
        env.literals().forEach((k, v) -> {
            if (!RESERVED.contains(k) && !plans.egress().agentPlaceholders().containsKey(k)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /**
     * Renders variables in {@code --env-file} form ({@code NAME=value} per line).
     *
     * @param vars the variables
     * @return the file's text
     * @throws IllegalArgumentException when a value holds a newline, which that form cannot carry
     */
    public static String envFile(Map<String, String> vars) {
        StringBuilder sb = new StringBuilder();
        vars.forEach((k, v) -> {
            if (v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("env " + k + " holds a newline, which an env file cannot carry");
            }
            sb.append(k).append('=').append(v).append('\n');
        });
        return sb.toString();
    }
}
