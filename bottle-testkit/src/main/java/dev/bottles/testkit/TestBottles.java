package dev.bottles.testkit;

import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.PreparedBottle;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.Manifest;
import dev.bottles.state.BottleHome;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One test's bottles: its own home, its own {@link FakeBackend}, definitions to extend, and a host
 * environment of its own (the process's is never read). Starts with bottle {@code test} and agent
 * {@code test-agent}.
 */
public final class TestBottles {
    /** The agent every test starts with. */
    public static final String DEFAULT_AGENT = "test-agent";
    /** The bottle every test starts with. */
    public static final String DEFAULT_BOTTLE = "test";

    private final BottleHome home;
    private final FakeBackend backend;
    private final Map<String, BottleDefinition> bottles = new LinkedHashMap<>();
    private final Map<String, AgentDefinition> agents = new LinkedHashMap<>();
    private final Map<String, String> hostEnvironment = new LinkedHashMap<>();

    /**
     * Creates the helper.
     *
     * @param home the test's bottle home
     * @param backend the test's fake backend
     */
    public TestBottles(BottleHome home, FakeBackend backend) {
        this.home = Objects.requireNonNull(home, "home");
        this.backend = Objects.requireNonNull(backend, "backend");
        bottle(BottleDefinition.builder(DEFAULT_BOTTLE).build());
        agent(AgentDefinition.builder(DEFAULT_AGENT).bottle(DEFAULT_BOTTLE).build());
    }

    /**
     * Returns the test's bottle home.
     *
     * @return the home, deleted after the test
     */
    public BottleHome home() {
        return home;
    }

    /**
     * Returns the test's fake backend.
     *
     * @return the backend
     */
    public FakeBackend backend() {
        return backend;
    }

    /**
     * Adds or replaces a bottle.
     *
     * @param bottle the bottle
     * @return this helper
     */
    public TestBottles bottle(BottleDefinition bottle) {
        bottles.put(bottle.name(), bottle);
        return this;
    }

    /**
     * Adds or replaces an agent.
     *
     * @param agent the agent
     * @return this helper
     */
    public TestBottles agent(AgentDefinition agent) {
        agents.put(agent.name(), agent);
        return this;
    }

    /**
     * Sets a host environment variable the test's bottles see (for {@code ${VAR}} and route tokens).
     *
     * @param name the variable
     * @param value its value
     * @return this helper
     */
    public TestBottles hostVariable(String name, String value) {
        hostEnvironment.put(name, value);
        return this;
    }

    /**
     * Returns the definitions so far.
     *
     * @return the manifest
     */
    public Manifest manifest() {
        Manifest.Builder b = Manifest.builder();
        bottles.values().forEach(b::bottle);
        agents.values().forEach(b::agent);
        return b.build();
    }

    /**
     * Returns a spec for an agent in this test's home, with its definitions and host environment.
     *
     * @param agent the agent
     * @return the spec builder, to adjust further
     */
    public BottleSpec.Builder spec(String agent) {
        return BottleSpec.builder(agent)
                .manifest(manifest())
                .home(home.root())
                .userCwd(home.root())
                .hostEnvironment(hostEnvironment);
    }

    /**
     * Prepares an agent on this test's fake backend.
     *
     * @param agent the agent
     * @return the prepared bottle
     */
    public PreparedBottle prepare(String agent) {
        return Bottles.using(backend).prepare(spec(agent).build());
    }
}
