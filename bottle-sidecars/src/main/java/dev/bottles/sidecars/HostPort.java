package dev.bottles.sidecars;

import java.util.Objects;

/**
 * An address the agent dials.
 *
 * @param host an IP literal or host name
 * @param port the port
 */
public record HostPort(String host, int port) {

    /**
     * Validates the address.
     *
     * @param host an IP literal or host name
     * @param port the port
     */
    public HostPort {
        Objects.requireNonNull(host, "host");
        if (host.isBlank() || port < 1 || port > 65_535) {
            throw new IllegalArgumentException("not an address: " + host + ":" + port);
        }
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
