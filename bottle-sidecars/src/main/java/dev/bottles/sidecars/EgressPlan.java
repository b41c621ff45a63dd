package dev.bottles.sidecars;

import dev.bottles.state.SecureFiles;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link Egress} prepared for one bottle.
 *
 * @param routesFile the rendered {@code routes.yaml} on the host
 * @param caCertificate the egress CA certificate on the host (0600; the agent gets a copy); the agent trusts it
 * @param caKey the egress CA key on the host (0600); only the bundle holds it
 * @param config the policy written to {@code routesFile}
 * @param tokenEnv host variables the bundle needs, passed by name (value from the host
 *     environment at launch, never on an argv or in a file)
 * @param agentPlaceholders variables the agent gets instead of real credentials, e.g.
 *     {@code CLAUDE_CODE_OAUTH_TOKEN=egress-placeholder}
 * @param agentDefaults variables the agent gets unless the bottle sets them (telemetry off)
 */
public record EgressPlan(
        Path routesFile,
        Path caCertificate,
        Path caKey,
        EgressConfig config,
        List<String> tokenEnv,
        Map<String, String> agentPlaceholders,
        Map<String, String> agentDefaults) {

    /**
     * Validates and copies.
     *
     * @param routesFile the rendered {@code routes.yaml}
     * @param caCertificate the CA certificate
     * @param caKey the CA key
     * @param config the policy
     * @param tokenEnv the token variables
     * @param agentPlaceholders the agent's placeholders
     * @param agentDefaults the agent's defaults
     */
    public EgressPlan {
        Objects.requireNonNull(routesFile, "routesFile");
        Objects.requireNonNull(caCertificate, "caCertificate");
        Objects.requireNonNull(caKey, "caKey");
        Objects.requireNonNull(config, "config");
        tokenEnv = List.copyOf(tokenEnv);
        agentPlaceholders = Collections.unmodifiableMap(new LinkedHashMap<>(agentPlaceholders));
        agentDefaults = Collections.unmodifiableMap(new LinkedHashMap<>(agentDefaults));
    }

    /**
     * Returns the directory holding the plan's files.
     *
     * @return the {@code egress/} state subdirectory
     */
    public Path directory() {
        return SecureFiles.parent(routesFile);
    }
}
