package dev.bottles.sidecars;

import dev.bottles.BottleException;
import dev.bottles.ManifestException;
import dev.bottles.manifest.AuthScheme;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.RequestTarget;
import dev.bottles.manifest.RouteAuth;
import dev.bottles.manifest.RouteRole;
import dev.bottles.manifest.RouteTls;
import dev.bottles.sidecars.internal.ConfigFiles;
import dev.bottles.sidecars.internal.Yamls;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The egress policy file, {@code routes.yaml}: the routes of a bottle plus the default hosts
 * allowed without a credential. Written by {@link Egress} on the host and read by the egress daemon
 * in the bundle with this same class. It names each route's token by its host variable
 * ({@code token_ref}), never its value.
 *
 * <pre>
 * version: 1
 * default_hosts: [statsig.anthropic.com, ...]       # minus hosts a route names
 * routes:
 * - host: api.anthropic.com
 *   role: claude_code_oauth
 *   auth: {scheme: Bearer, token_ref: CLAUDE_BOTTLE_OAUTH_TOKEN}
 * - host: github.com
 *   path_allowlist: [/didericis/]
 * </pre>
 *
 * @param defaultHosts hosts allowed as plain routes, lower-cased, none named by a route
 * @param routes the routes, hosts unique
 */
public record EgressConfig(List<String> defaultHosts, List<EgressRoute> routes) {
    /** The format version this class writes and reads. */
    public static final int VERSION = 1;

    private static final List<String> TOP_KEYS = List.of("version", "default_hosts", "routes");
    private static final List<String> ROUTE_KEYS = List.of("host", "path_allowlist", "auth", "role", "tls", "carries");

    /**
     * Normalises the hosts and drops defaults that a route overrides.
     *
     * @param defaultHosts hosts allowed as plain routes
     * @param routes the routes
     */
    public EgressConfig {
        routes = List.copyOf(routes);
        Set<String> routeHosts = new LinkedHashSet<>();
        for (EgressRoute r : routes) {
            if (!routeHosts.add(r.host())) {
                throw new IllegalArgumentException("two routes for host " + r.host());
            }
        }
        Set<String> d = new LinkedHashSet<>();
        for (String h : defaultHosts) {
            String host = h.strip().toLowerCase(Locale.ROOT);
            if (!routeHosts.contains(host)) {
                d.add(host);
            }
        }
        defaultHosts = List.copyOf(d);
    }

    /**
     * Returns a bottle's policy: its routes plus the default Claude Code hosts.
     *
     * @param bottle the bottle
     * @return the policy
     */
    public static EgressConfig forBottle(BottleDefinition bottle) {
        return new EgressConfig(DefaultHosts.CLAUDE_CODE, bottle.routes());
    }

    /**
     * Returns every allowed host: defaults, then route hosts.
     *
     * @return the hosts
     */
    public List<String> allowedHosts() {
        List<String> all = new ArrayList<>(defaultHosts);
        routes.forEach(r -> all.add(r.host()));
        return all;
    }

    /**
     * Returns the route for a host, matched without case; a default host is a plain route.
     *
     * @param host the host the agent asked for
     * @return its route, or empty when the host is not allowed
     */
    public Optional<EgressRoute> route(String host) {
        String h = host.strip().toLowerCase(Locale.ROOT);
        for (EgressRoute r : routes) {
            if (r.host().equals(h)) {
                return Optional.of(r);
            }
        }
        return defaultHosts.contains(h) ? Optional.of(EgressRoute.to(h)) : Optional.empty();
    }

    /**
     * Decides a request the way the egress daemon does: the host must be allowed (an IP literal
     * only when listed); the request target is canonicalised ({@link RequestTarget#parse}: an
     * ambiguous one is refused), and on a route with a {@code path_allowlist} the canonical path must
     * lie under one of its prefixes. An allowed decision carries the canonical target, the one
     * spelling egress forwards.
     *
     * @param host the requested host (from the request line, {@code Host} or SNI)
     * @param target the request target as sent (origin-form, query included), or null when unknown
     *     (a CONNECT before TLS)
     * @return the decision
     */
    public EgressDecision decide(String host, @Nullable String target) {
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        Optional<EgressRoute> route = route(h);
        if (route.isEmpty()) {
            return new EgressDecision(
                    false,
                    h,
                    null,
                    "blocked: host " + h + " is not on this bottle's allowlist;"
                            + " add an egress route for it to the bottle (or ask the operator through supervise)");
        }
        EgressRoute r = route.get();
        RequestTarget t = null;
        if (target != null) {
            try {
                t = RequestTarget.parse(target);
            } catch (RequestTarget.Refused e) {
                return new EgressDecision(false, h, r, "blocked: " + e.getMessage() + " (" + h + ")");
            }
            RequestTarget canonical = t;
            if (!r.pathAllowlist().isEmpty() && r.pathAllowlist().stream().noneMatch(canonical::under)) {
                return new EgressDecision(
                        false,
                        h,
                        r,
                        "blocked: path " + t.path() + " on " + h + " is outside the" + " route's path_allowlist "
                                + r.pathAllowlist());
            }
        }
        String how = r.auth() == null
                ? "allowed"
                : "allowed; egress injects the " + r.auth().scheme().wire() + " token from "
                        + r.auth().tokenRef();
        return new EgressDecision(true, h, r, how, t);
    }

    /**
     * Decides a request for a URL.
     *
     * @param url e.g. {@code https://api.github.com/repos/me/app}
     * @return the decision
     * @throws IllegalArgumentException when the URL has no host
     */
    public EgressDecision decide(URI url) {
        if (url.getHost() == null) {
            throw new IllegalArgumentException("URL " + url + " has no host");
        }
        String p = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        return decide(url.getHost(), url.getRawQuery() == null ? p : p + "?" + url.getRawQuery());
    }

    /**
     * Returns this policy with a route merged in, the original's rule for an approved proposal: a
     * new host is appended; an existing host gets the union of both path lists (an empty list
     * allows every path, so it wins) and keeps its own credential and role.
     *
     * @param route the route to merge
     * @return the new policy
     */
    public EgressConfig with(EgressRoute route) {
        List<EgressRoute> out = new ArrayList<>();
        boolean merged = false;
        for (EgressRoute r : routes) {
            if (r.host().equals(route.host())) {
                List<String> paths;
                if (r.pathAllowlist().isEmpty() || route.pathAllowlist().isEmpty() || !r.inspected()) {
                    paths = List.of();
                } else {
                    Set<String> union = new LinkedHashSet<>(r.pathAllowlist());
                    union.addAll(route.pathAllowlist());
                    paths = List.copyOf(union);
                }
                out.add(new EgressRoute(r.host(), paths, r.auth(), r.role(), r.tls(), r.carries()));
                merged = true;
            } else {
                out.add(r);
            }
        }
        if (!merged) {
            out.add(new EgressRoute(route.host(), route.pathAllowlist(), null, null));
        }
        return new EgressConfig(defaultHosts, out);
    }

    /**
     * Returns the host variables holding the routes' tokens, in route order, each once.
     *
     * @return the variable names
     */
    public List<String> tokenRefs() {
        Set<String> refs = new LinkedHashSet<>();
        for (EgressRoute r : routes) {
            if (r.auth() != null) {
                refs.add(r.auth().tokenRef());
            }
        }
        return List.copyOf(refs);
    }

    /**
     * Renders the file.
     *
     * @param identity the bottle's identity, for the header comment
     * @return the YAML text
     */
    public String render(String identity) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("version", VERSION);
        doc.put("default_hosts", new ArrayList<>(defaultHosts));
        List<Object> rs = new ArrayList<>();
        for (EgressRoute r : routes) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("host", r.host());
            if (!r.pathAllowlist().isEmpty()) {
                m.put("path_allowlist", new ArrayList<>(r.pathAllowlist()));
            }
            if (r.role() != null) {
                m.put("role", r.role().wire());
            }
            if (!r.inspected()) {
                m.put("tls", r.tls().wire());
            }
            if (!r.carries().isEmpty()) {
                m.put("carries", new ArrayList<>(r.carries()));
            }
            if (r.auth() != null) {
                Map<String, Object> a = new LinkedHashMap<>();
                a.put("scheme", r.auth().scheme().wire());
                a.put("token_ref", r.auth().tokenRef());
                m.put("auth", a);
            }
            rs.add(m);
        }
        doc.put("routes", rs);
        return Yamls.render(
                "egress routes for bottle " + identity + " (token values come from the bundle's"
                        + " environment, never from this file)",
                doc);
    }

    /**
     * Reads a rendered file.
     *
     * @param file the file
     * @return the policy
     * @throws BottleException when the file is unreadable or malformed
     */
    public static EgressConfig read(Path file) {
        return parse(ConfigFiles.read(file), file.toString());
    }

    /**
     * Parses the file's text.
     *
     * @param text the YAML
     * @param source where it came from, for messages
     * @return the policy
     * @throws BottleException when it is malformed
     */
    public static EgressConfig parse(String text, String source) {
        Map<String, Object> doc = Yamls.read(text, source);
        unknownKeys(doc, TOP_KEYS, source);
        if (!Integer.valueOf(VERSION).equals(doc.get("version"))) {
            throw new BottleException(
                    source + ": unsupported version " + doc.get("version") + " (this build reads " + VERSION + ")");
        }
        List<String> defaults = strings(doc.getOrDefault("default_hosts", List.of()), source + ": default_hosts");
        List<EgressRoute> routes = new ArrayList<>();
        Object rs = doc.getOrDefault("routes", List.of());
        if (!(rs instanceof List<?> list)) {
            throw new BottleException(source + ": routes is not a list");
        }
        for (int i = 0; i < list.size(); i++) {
            String where = source + ": routes[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> m)) {
                throw new BottleException(where + " is not a mapping");
            }
            unknownKeys(m, ROUTE_KEYS, where);
            try {
                RouteAuth auth = null;
                if (m.get("auth") instanceof Map<?, ?> a) {
                    auth = new RouteAuth(
                            AuthScheme.parse(String.valueOf(a.get("scheme"))), String.valueOf(a.get("token_ref")));
                }
                RouteRole role = m.get("role") == null ? null : RouteRole.parse(String.valueOf(m.get("role")));
                RouteTls tls = m.get("tls") == null ? RouteTls.INSPECT : RouteTls.parse(String.valueOf(m.get("tls")));
                routes.add(new EgressRoute(
                        String.valueOf(m.get("host")),
                        strings(m.containsKey("path_allowlist") ? m.get("path_allowlist") : List.of(), where),
                        auth,
                        role,
                        tls,
                        strings(m.containsKey("carries") ? m.get("carries") : List.of(), where)));
            } catch (ManifestException e) {
                throw new BottleException(where + ": " + e.getMessage(), e);
            }
        }
        try {
            return new EgressConfig(defaults, routes);
        } catch (IllegalArgumentException e) {
            throw new BottleException(source + ": " + e.getMessage(), e);
        }
    }

    private static void unknownKeys(Map<?, ?> m, List<String> allowed, String where) {
        for (Object k : m.keySet()) {
            if (!allowed.contains(String.valueOf(k))) {
                throw new BottleException(where + ": unknown key '" + k + "'; allowed: " + String.join(", ", allowed));
            }
        }
    }

    private static List<String> strings(Object o, String where) {
        if (!(o instanceof List<?> l)) {
            throw new BottleException(where + " is not a list");
        }
        return l.stream().map(String::valueOf).toList();
    }
}
