package dev.bottles.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A bottle's environment after prepare, in two parts, as in the original.
 *
 * <ul>
 *   <li>{@link #literals()}: values written in the definition; they may go into the 0600
 *       {@code agent.env} file;
 *   <li>forwarded values (from {@code ${HOST_VAR}} and {@code ?secret} entries): passed to the
 *       runtime by name, with the value in the engine call's or child process's environment; never
 *       on an argv, in a file or in a log. {@link #toString()} shows their names only.
 * </ul>
 */
public final class ResolvedEnv {
    private static final ResolvedEnv EMPTY = new ResolvedEnv(Map.of(), Map.of());

    private final Map<String, String> literals;
    private final Map<String, String> forwarded;

    /**
     * Creates the environment.
     *
     * @param literals literal values by name, in declaration order
     * @param forwarded forwarded values by name, in declaration order
     */
    public ResolvedEnv(Map<String, String> literals, Map<String, String> forwarded) {
        this.literals = Collections.unmodifiableMap(new LinkedHashMap<>(literals));
        this.forwarded = Collections.unmodifiableMap(new LinkedHashMap<>(forwarded));
    }

    /**
     * Returns an environment with nothing in it.
     *
     * @return the empty environment
     */
    public static ResolvedEnv empty() {
        return EMPTY;
    }

    /**
     * Returns the literal values.
     *
     * @return name to value, in declaration order
     */
    public Map<String, String> literals() {
        return literals;
    }

    /**
     * Returns the names of the forwarded values.
     *
     * @return the names, in declaration order
     */
    public Set<String> forwardedNames() {
        return forwarded.keySet();
    }

    /**
     * Returns the forwarded values, for handing to an engine call or a child process's
     * environment. Never log, print or write the result.
     *
     * @return name to secret value
     */
    public Map<String, String> forwardedValues() {
        return forwarded;
    }

    @Override
    public String toString() {
        return "ResolvedEnv[literals=" + literals.keySet() + ", forwarded=" + forwarded.keySet() + "]";
    }
}
