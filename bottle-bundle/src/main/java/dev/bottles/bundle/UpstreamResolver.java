package dev.bottles.bundle;

import java.net.InetSocketAddress;

/**
 * Maps the host and port egress decided to allow to the address it dials. The default leaves the
 * name unresolved so the bundle's own resolver (Docker's, on the outbound network) resolves it at
 * connect time; tests map names to loopback servers.
 */
@FunctionalInterface
public interface UpstreamResolver {
    /** The bundle's resolver: the name stays unresolved until connect. */
    UpstreamResolver SYSTEM = InetSocketAddress::createUnresolved;

    /**
     * Returns the address to dial.
     *
     * @param host the allowed host, lower-cased
     * @param port the requested port
     * @return the address, resolved or not
     */
    InetSocketAddress resolve(String host, int port);
}
