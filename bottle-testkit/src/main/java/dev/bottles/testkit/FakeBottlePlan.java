package dev.bottles.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bottles.sidecars.EgressConfig;
import dev.bottles.sidecars.EgressDecision;
import dev.bottles.sidecars.SidecarPlans;
import dev.bottles.spi.BottlePlan;
import dev.bottles.spi.ResolvedEnv;
import dev.bottles.spi.Subnet;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The plan {@link FakeBackend} makes: the real sidecar plans and agent environment, with a subnet
 * as the docker backend would choose it.
 *
 * @param identity the bottle's identity
 * @param backendId the backend's id
 * @param agentName the agent
 * @param stateDir the state dir
 * @param sidecars the sidecar plans, made by the real preparers
 * @param subnet the subnet the bottle would get
 * @param agentEnvironment what the agent's environment would hold (no forwarded values)
 * @param env the resolved environment; its forwarded values are never printed
 * @param failLaunchAt the launch step told to fail ({@code FAKE_FAIL_LAUNCH_AT}), or null
 */
public record FakeBottlePlan(
        String identity,
        String backendId,
        String agentName,
        Path stateDir,
        SidecarPlans sidecars,
        Subnet subnet,
        Map<String, String> agentEnvironment,
        ResolvedEnv env,
        @Nullable String failLaunchAt)
        implements BottlePlan {

    /**
     * Validates and copies.
     *
     * @param identity the identity
     * @param backendId the backend id
     * @param agentName the agent
     * @param stateDir the state dir
     * @param sidecars the sidecar plans
     * @param subnet the subnet
     * @param agentEnvironment the agent environment
     * @param env the resolved environment
     * @param failLaunchAt the step to fail at, or null
     */
    public FakeBottlePlan {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(backendId, "backendId");
        Objects.requireNonNull(agentName, "agentName");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(sidecars, "sidecars");
        Objects.requireNonNull(subnet, "subnet");
        agentEnvironment = Collections.unmodifiableMap(new LinkedHashMap<>(agentEnvironment));
        Objects.requireNonNull(env, "env");
    }

    /**
     * Answers whether egress would let the agent make a request, from the bottle's live policy (its
     * {@code routes.yaml}, approved routes included).
     *
     * @param url e.g. {@code https://api.github.com/repos/me/app}
     * @return the decision, with egress's reason
     */
    public EgressDecision wouldAllow(String url) {
        Path live = sidecars.egress().routesFile();
        return (Files.isRegularFile(live)
                        ? EgressConfig.read(live)
                        : sidecars.egress().config())
                .decide(URI.create(url));
    }

    @Override
    public String toJson() {
        ObjectMapper m = new ObjectMapper();
        ObjectNode o = m.createObjectNode();
        o.put("identity", identity);
        o.put("backend", backendId);
        o.put("agent", agentName);
        o.put("state_dir", stateDir.toString());
        o.put("subnet", subnet.cidr());
        o.put("daemons", sidecars.bundle().daemonsCsv());
        ObjectNode e = o.putObject("agent_env");
        agentEnvironment.forEach(e::put);
        env.forwardedNames().forEach(n -> e.put(n, "***"));
        return o.toString();
    }

    @Override
    public String toString() {
        return "FakeBottlePlan" + toJson();
    }
}
