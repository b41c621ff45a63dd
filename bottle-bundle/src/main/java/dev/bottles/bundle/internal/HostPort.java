package dev.bottles.bundle.internal;

import org.jspecify.annotations.Nullable;

/**
 * A host and port from an authority ({@code host:port}, {@code [v6]:port}).
 *
 * @param host the host, lower-cased, without brackets or a trailing dot
 * @param port the port
 */
public record HostPort(String host, int port) {
    /**
     * Parses an authority.
     *
     * @param authority e.g. {@code api.github.com:443}
     * @param defaultPort the port when none is given, or -1 when one is required
     * @return the parts, or null when malformed
     */
    public static @Nullable HostPort parseAuthority(String authority, int defaultPort) {
        String a = authority.strip();
        String host;
        String port = null;
        if (a.startsWith("[")) {
            int end = a.indexOf(']');
            if (end < 0) {
                return null;
            }
            host = a.substring(1, end);
            String rest = a.substring(end + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    return null;
                }
                port = rest.substring(1);
            }
        } else {
            int colon = a.lastIndexOf(':');
            if (colon >= 0 && a.indexOf(':') != colon) {
                return null;
            }
            host = colon < 0 ? a : a.substring(0, colon);
            port = colon < 0 ? null : a.substring(colon + 1);
        }
        host = RequestHandler.normalise(host);
        if (host.isEmpty() || !host.matches("[a-z0-9._:-]+")) {
            return null;
        }
        int p;
        if (port == null) {
            if (defaultPort < 0) {
                return null;
            }
            p = defaultPort;
        } else {
            try {
                p = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return p < 1 || p > 65535 ? null : new HostPort(host, p);
    }
}
