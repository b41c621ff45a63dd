package dev.bottles.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Whether a backend can run bottles on this host now, why not, and what it found out while
 * probing (engine version, runtime chosen, ...).
 *
 * @param available whether the backend can run bottles
 * @param reason for an unavailable backend, why and what to do; otherwise a one-line summary
 * @param facts what the probe found, for display (never secrets)
 */
public record Availability(boolean available, String reason, Map<String, String> facts) {

    /**
     * Validates and copies.
     *
     * @param available whether the backend can run bottles
     * @param reason for an unavailable backend, why and what to do; otherwise a one-line summary
     * @param facts what the probe found, for display (never secrets)
     */
    public Availability {
        Objects.requireNonNull(reason, "reason");
        facts = Collections.unmodifiableMap(new LinkedHashMap<>(facts));
    }

    /**
     * Creates an available result.
     *
     * @param summary a one-line summary, e.g. "Docker 20.10.24 at unix:///var/run/docker.sock"
     * @return the availability
     */
    public static Availability available(String summary) {
        return new Availability(true, summary, Map.of());
    }

    /**
     * Creates an unavailable result.
     *
     * @param reason why, and what to do about it
     * @return the availability
     */
    public static Availability unavailable(String reason) {
        return new Availability(false, reason, Map.of());
    }

    /**
     * Returns a copy with one more fact.
     *
     * @param key the fact's name
     * @param value its value
     * @return the new availability
     */
    public Availability withFact(String key, String value) {
        Map<String, String> f = new LinkedHashMap<>(facts);
        f.put(key, value);
        return new Availability(available, reason, f);
    }
}
