package dev.bottles.manifest;

import dev.bottles.ManifestException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One allowed upstream host of a bottle, optionally with a path allowlist, a credential egress
 * injects, a role, how egress treats its TLS, and the bottle's secrets it may carry.
 *
 * @param host the host, lower-cased; matched case-insensitively
 * @param pathAllowlist path prefixes the agent may request; empty allows every path
 * @param auth the credential egress injects, or null for a plain allowed host
 * @param role the route's special meaning, or null
 * @param tls whether egress inspects the route ({@link RouteTls#INSPECT}, the default) or passes
 *     its TLS through
 * @param carries names of the bottle's forwarded variables ({@code ${HOST_VAR}} or secrets) whose
 *     values may go to this host; egress blocks them everywhere else
 */
public record EgressRoute(
        String host,
        List<String> pathAllowlist,
        @Nullable RouteAuth auth,
        @Nullable RouteRole role,
        RouteTls tls,
        List<String> carries) {
    private static final Pattern HOST =
            Pattern.compile("(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

    /**
     * Validates and normalises the route.
     *
     * @param host the host, lower-cased; matched case-insensitively
     * @param pathAllowlist path prefixes the agent may request; empty allows every path
     * @param auth the credential egress injects, or null for a plain allowed host
     * @param role the route's special meaning, or null
     * @param tls how egress treats its TLS
     * @param carries the variables it may carry
     */
    public EgressRoute {
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(host, "host");
        host = host.strip().toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        if (!HOST.matcher(host).matches()) {
            throw ManifestException.of(
                    "host",
                    "'" + host + "' is not a host name",
                    "write a bare host such as api.example.com (no scheme, port or path)");
        }
        List<String> paths = new ArrayList<>();
        for (String p : pathAllowlist) {
            if (!p.startsWith("/")) {
                throw ManifestException.of(
                        "path_allowlist",
                        "path '" + p + "' does not start with '/'",
                        "write path prefixes such as /owner/repo/");
            }
            String bad = RequestTarget.checkPrefix(p);
            if (bad != null) {
                throw ManifestException.of(
                        "path_allowlist",
                        bad,
                        "write the path as a request reaches it, e.g."
                                + " /owner/repo/ (egress matches the decoded path with dot segments removed)");
            }
            paths.add(p);
        }
        pathAllowlist = List.copyOf(paths);
        carries = List.copyOf(new LinkedHashSet<>(carries));
        if (tls == RouteTls.PASSTHROUGH && auth != null) {
            throw ManifestException.of(
                    "tls",
                    "a route with auth cannot be passthrough: egress must terminate TLS to" + " inject the token",
                    "remove 'tls: passthrough' (or the auth)");
        }
        if (tls == RouteTls.PASSTHROUGH && !pathAllowlist.isEmpty()) {
            throw ManifestException.of(
                    "tls",
                    "a passthrough route cannot have a path_allowlist: egress cannot see"
                            + " paths inside a tunnel it does not terminate",
                    "remove 'tls: passthrough' (or the path_allowlist)");
        }
    }

    /**
     * Creates an inspected route that carries none of the bottle's variables.
     *
     * @param host the host
     * @param pathAllowlist path prefixes; empty allows every path
     * @param auth the credential, or null
     * @param role the role, or null
     */
    public EgressRoute(String host, List<String> pathAllowlist, @Nullable RouteAuth auth, @Nullable RouteRole role) {
        this(host, pathAllowlist, auth, role, RouteTls.INSPECT, List.of());
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
        return new EgressRoute(host, List.of(prefixes), auth, role, tls, carries);
    }

    /**
     * Returns a copy whose requests get the given credential.
     *
     * @param newAuth the credential
     * @return the new route
     */
    public EgressRoute withAuth(RouteAuth newAuth) {
        return new EgressRoute(host, pathAllowlist, newAuth, role, tls, carries);
    }

    /**
     * Returns a copy with the given role.
     *
     * @param newRole the role
     * @return the new route
     */
    public EgressRoute withRole(RouteRole newRole) {
        return new EgressRoute(host, pathAllowlist, auth, newRole, tls, carries);
    }

    /**
     * Returns a copy whose TLS egress passes through uninspected.
     *
     * @return the new route
     */
    public EgressRoute passthrough() {
        return new EgressRoute(host, pathAllowlist, auth, role, RouteTls.PASSTHROUGH, carries);
    }

    /**
     * Returns a copy that may carry the given forwarded variables.
     *
     * @param names the variables
     * @return the new route
     */
    public EgressRoute carrying(String... names) {
        return new EgressRoute(host, pathAllowlist, auth, role, tls, List.of(names));
    }

    /**
     * Tells whether egress terminates and inspects this route's TLS.
     *
     * @return false for a passthrough route
     */
    public boolean inspected() {
        return tls == RouteTls.INSPECT;
    }
}
