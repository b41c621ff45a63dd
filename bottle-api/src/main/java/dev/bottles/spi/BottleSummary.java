package dev.bottles.spi;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One bottle a backend found running (or left behind), for {@code list}.
 *
 * @param identity the bottle's identity
 * @param backend the backend's id
 * @param agent the agent's name, when known
 * @param services the bundle daemons it runs, e.g. {@code [egress, pipelock]}
 * @param status the backend's word for its state, e.g. {@code running}
 */
public record BottleSummary(
        String identity, String backend, @Nullable String agent, List<String> services, String status) {

    /**
     * Validates and copies.
     *
     * @param identity the bottle's identity
     * @param backend the backend's id
     * @param agent the agent's name, when known
     * @param services the bundle daemons it runs, e.g. {@code [egress, pipelock]}
     * @param status the backend's word for its state, e.g. {@code running}
     */
    public BottleSummary {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(status, "status");
        services = List.copyOf(services);
    }
}
