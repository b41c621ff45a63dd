package dev.bottles.spi;

import dev.bottles.state.Owner;
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
 * @param owner the program that owns it, when its resources record one
 */
public record BottleSummary(
        String identity,
        String backend,
        @Nullable String agent,
        List<String> services,
        String status,
        @Nullable Owner owner) {

    /**
     * Validates and copies.
     *
     * @param identity the bottle's identity
     * @param backend the backend's id
     * @param agent the agent's name, when known
     * @param services the bundle daemons it runs, e.g. {@code [egress, pipelock]}
     * @param status the backend's word for its state, e.g. {@code running}
     * @param owner the program that owns it, when its resources record one
     */
    public BottleSummary {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(status, "status");
        services = List.copyOf(services);
    }

    /**
     * Summarises a bottle whose owner is not known.
     *
     * @param identity the bottle's identity
     * @param backend the backend's id
     * @param agent the agent's name, when known
     * @param services the bundle daemons it runs
     * @param status the backend's word for its state
     */
    public BottleSummary(
            String identity, String backend, @Nullable String agent, List<String> services, String status) {
        this(identity, backend, agent, services, status, null);
    }

    /**
     * Describes the owner for a listing.
     *
     * @return e.g. {@code pid 4242 on build-7 (running)}, {@code pid 4242 on build-7 (gone)}, or
     *     {@code -} when unknown
     */
    public String ownerText() {
        Owner o = owner;
        if (o == null) {
            return "-";
        }
        return "pid " + o.pid() + " on " + o.host() + (o.mayBeAlive() ? " (running)" : " (gone)");
    }
}
