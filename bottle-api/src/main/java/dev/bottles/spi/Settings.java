package dev.bottles.spi;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Named knobs such as {@code CLAUDE_BOTTLE_IMAGE}: a value set on the {@code BottleSpec} wins,
 * otherwise the host environment's. Only the override names are shown by {@link #toString()}, as
 * the host environment may hold secrets.
 */
public final class Settings {
    /** The setting naming the host skills directory (default {@code ~/.claude/skills}). */
    public static final String SKILLS_DIR = "BOTTLE_SKILLS_DIR";

    private final Map<String, String> overrides;
    private final Map<String, String> environment;

    /**
     * Creates settings.
     *
     * @param overrides values set in code
     * @param environment the host environment
     */
    public Settings(Map<String, String> overrides, Map<String, String> environment) {
        this.overrides = Map.copyOf(overrides);
        this.environment = Map.copyOf(environment);
    }

    /**
     * Looks up a setting; a blank value counts as unset.
     *
     * @param name e.g. {@code CLAUDE_BOTTLE_IMAGE}
     * @return the value, if set
     */
    public Optional<String> get(String name) {
        Objects.requireNonNull(name, "name");
        String v = overrides.containsKey(name) ? overrides.get(name) : environment.get(name);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v);
    }

    /**
     * Looks up a setting with a default.
     *
     * @param name the setting
     * @param fallback the value when it is unset
     * @return the value
     */
    public String get(String name, String fallback) {
        return get(name).orElse(fallback);
    }

    /**
     * Returns those of the named settings that are set, in the order named (what a plan carries
     * for a build, say).
     *
     * @param names the settings' names
     * @return name to value, for the ones set
     */
    public Map<String, String> subset(List<String> names) {
        Map<String, String> m = new LinkedHashMap<>();
        names.forEach(n -> get(n).ifPresent(v -> m.put(n, v)));
        return m;
    }

    /**
     * Returns the host directory skills are copied from: {@value #SKILLS_DIR}, else
     * {@code ~/.claude/skills} as in the original.
     *
     * @return the directory
     */
    public Path skillsDir() {
        return get(SKILLS_DIR).map(Path::of).orElse(Path.of(System.getProperty("user.home"), ".claude", "skills"));
    }

    @Override
    public String toString() {
        return "Settings[overrides=" + overrides.keySet() + "]";
    }
}
