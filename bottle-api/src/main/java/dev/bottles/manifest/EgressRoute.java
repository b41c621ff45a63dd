package dev.bottles.manifest;

import dev.bottles.ManifestException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One allowed upstream host of a bottle, optionally with a path allowlist, a credential egress
 * injects, and a role.
 *
 * @param host the host, lower-cased; matched case-insensitively
 * @param pathAllowlist path prefixes the agent may request; empty allows every path
 * @param auth the credential egress injects, or null for a plain allowed host
 * @param role the route's special meaning, or null
 */
public record EgressRoute(String host, List<String> pathAllowlist, @Nullable RouteAuth auth, @Nullable RouteRole role) {
    private static final Pattern HOST = Pattern.compile(
            "(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

    /**
     * Validates and normalises the route.
     *
     * @param host the host, lower-cased; matched case-insensitively
     * @param pathAllowlist path prefixes the agent may request; empty allows every path
     * @param auth the credential egress injects, or null for a plain allowed host
     * @param role the route's special meaning, or null
     */
    public EgressRoute {
        Objects.requireNonNull(host, "host");
        host = host.strip().toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        if (!HOST.matcher(host).matches()) {
            throw ManifestException.of("host", "'" + host + "' is not a host name",
                    "write a bare host such as api.example.com (no scheme, port or path)");
        }
        List<String> paths = new ArrayList<>();
        for (String p : pathAllowlist) {
            if (!p.startsWith("/")) {
                throw ManifestException.of("path_allowlist", "path '" + p + "' does not start with '/'",
                        "write path prefixes such as /owner/repo/");
            }
            paths.add(p);
        }
        pathAllowlist = List.copyOf(paths);
    }

    /**
     * Creates a plain allowed host with no path limit, credential or role.
     *
     * @param host the host
     * @return the route
     */
    public static EgressRoute to(String host) {
        return new EgressRoute(host, List.of(), null, null);
    }

    /**
     * Returns a copy limited to the given path prefixes.
     *
     * @param prefixes path prefixes, each starting with {@code /}
     * @return the new route
     */
    public EgressRoute withPaths(String... prefixes) {
        return new EgressRoute(host, List.of(prefixes), auth, role);
    }

    /**
     * Returns a copy whose requests get the given credential.
     *
     * @param newAuth the credential
     * @return the new route
     */
    public EgressRoute withAuth(RouteAuth newAuth) {
        return new EgressRoute(host, pathAllowlist, newAuth, role);
    }

    /**
     * Returns a copy with the given role.
     *
     * @param newRole the role
     * @return the new route
     */
    public EgressRoute withRole(RouteRole newRole) {
        return new EgressRoute(host, pathAllowlist, auth, newRole);
    }
}
