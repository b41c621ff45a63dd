package dev.bottles;

import dev.bottles.spi.Availability;
import java.util.Objects;

/**
 * A discovered backend and whether it can run bottles on this host now.
 *
 * @param id the backend's id, or the provider's description for one that failed to load
 * @param priority its priority (higher is preferred when none is chosen explicitly)
 * @param availability whether it is available, and why not
 */
public record BackendStatus(String id, int priority, Availability availability) {

    /**
     * Validates the status.
     *
     * @param id the backend's id, or the provider's description for one that failed to load
     * @param priority its priority (higher is preferred when none is chosen explicitly)
     * @param availability whether it is available, and why not
     */
    public BackendStatus {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(availability, "availability");
    }
}
