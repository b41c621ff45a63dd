package dev.bottles.spi;

import dev.bottles.BottleSpec;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.Manifest;
import dev.bottles.state.BottleHome;
import dev.bottles.state.StateDir;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a backend's prepare gets, already validated against the host.
 *
 * @param spec what the caller asked for
 * @param manifest the definitions
 * @param agent the agent to run
 * @param bottle the agent's bottle
 * @param identity the bottle's identity (fresh, or the one being resumed)
 * @param resumed whether the identity was given by the caller
 * @param home the bottle home
 * @param state the bottle's state dir, created (0700), {@code .preserve} cleared
 * @param env the resolved environment; forwarded values must not reach a file, argv or log
 * @param hostEnvironment the host environment, for values a backend forwards by name (e.g. route
 *     tokens); never log it
 * @param settings the named knobs ({@code CLAUDE_BOTTLE_IMAGE}, ...)
 * @param events where to report prepare's steps
 */
public record PrepareRequest(
        BottleSpec spec,
        Manifest manifest,
        AgentDefinition agent,
        BottleDefinition bottle,
        String identity,
        boolean resumed,
        BottleHome home,
        StateDir state,
        ResolvedEnv env,
        Map<String, String> hostEnvironment,
        Settings settings,
        BottleEvents events) {

    /**
     * Validates the request.
     *
     * @param spec what the caller asked for
     * @param manifest the definitions
     * @param agent the agent to run
     * @param bottle the agent's bottle
     * @param identity the bottle's identity (fresh, or the one being resumed)
     * @param resumed whether the identity was given by the caller
     * @param home the bottle home
     * @param state the bottle's state dir, created (0700), {@code .preserve} cleared
     * @param env the resolved environment; forwarded values must not reach a file, argv or log
     * @param hostEnvironment the host environment, for values a backend forwards by name (e.g. route
     *     tokens); never log it
     * @param settings the named knobs ({@code CLAUDE_BOTTLE_IMAGE}, ...)
     * @param events where to report prepare's steps
     */
    public PrepareRequest {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(bottle, "bottle");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(home, "home");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(env, "env");
        hostEnvironment = Map.copyOf(hostEnvironment);
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(events, "events");
    }

    @Override
    public String toString() {
        return "PrepareRequest[agent=" + agent.name() + ", bottle=" + bottle.name() + ", identity=" + identity
                + ", resumed=" + resumed + ", state=" + state.path() + ", env=" + env + ", settings=" + settings + "]";
    }
}
