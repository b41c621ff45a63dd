package dev.bottles.sidecars;

import dev.bottles.ManifestException;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.RouteRole;
import dev.bottles.state.SecureFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Prepares egress, the agent's proxy: the route policy, the CA the agent trusts (egress terminates
 * TLS on credential routes to inject the real token), and what the agent holds instead of secrets.
 */
public final class Egress {
    /** Where the bundle mounts the {@code egress/} state subdirectory. */
    public static final String DIR_IN_CONTAINER = "/etc/egress";
    /** The policy file inside the bundle. */
    public static final String ROUTES_IN_CONTAINER = DIR_IN_CONTAINER + "/routes.yaml";
    /** The CA certificate inside the bundle. */
    public static final String CA_CERT_IN_CONTAINER = DIR_IN_CONTAINER + "/ca.pem";
    /** The CA key inside the bundle. */
    public static final String CA_KEY_IN_CONTAINER = DIR_IN_CONTAINER + "/ca-key.pem";
    /**
     * Extra trust anchors egress uses when it verifies upstreams (a corporate CA), beside the
     * system trust store; inside the bundle, present only when the setting names a file.
     */
    public static final String EXTRA_CA_IN_CONTAINER = DIR_IN_CONTAINER + "/extra-ca.pem";
    /** The setting naming a PEM file of extra trust anchors for egress's upstream TLS. */
    public static final String EXTRA_CA_SETTING = "CLAUDE_BOTTLE_EGRESS_EXTRA_CA";
    /** The placeholder the agent holds for a {@code claude_code_oauth} route's token. */
    public static final String OAUTH_PLACEHOLDER = "egress-placeholder";
    /** The agent variable Claude Code reads its OAuth token from. */
    public static final String OAUTH_ENV = "CLAUDE_CODE_OAUTH_TOKEN";
    /** Telemetry Claude Code sends that egress cannot gate by credential: off unless the bottle says otherwise. */
    public static final Map<String, String> TELEMETRY_OFF = telemetryOff();

    private static final Set<String> RESERVED = Set.of(
            "PATH",
            "HOME",
            "HOSTNAME",
            "LANG",
            "TZ",
            "USER",
            "SHELL",
            "JAVA_HOME",
            "JAVA_TOOL_OPTIONS",
            "JDK_JAVA_OPTIONS",
            "_JAVA_OPTIONS",
            "LD_PRELOAD",
            "LD_LIBRARY_PATH",
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "NO_PROXY",
            "ALL_PROXY",
            "http_proxy",
            "https_proxy",
            "no_proxy",
            "all_proxy",
            SidecarBundle.DAEMONS_ENV,
            SidecarBundle.IDENTITY_ENV);
    private static final List<String> RESERVED_PREFIXES = List.of("EGRESS_", "PIPELOCK_", "GIT_GATE_", "SUPERVISE_");

    private final Clock clock;

    /** Creates a preparer on the system clock. */
    public Egress() {
        this(Clock.systemUTC());
    }

    /**
     * Creates a preparer.
     *
     * @param clock the clock CA validity starts from
     */
    public Egress(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Writes {@code routes.yaml} (0600), {@code ca.pem} (0600) and {@code ca-key.pem} (0600).
     *
     * @param bottle the bottle
     * @param identity the bottle's identity
     * @param dir the {@code egress/} state subdirectory (exists, 0700)
     * @param hostEnvironment the host environment, to check each route's token is set
     * @return the plan
     * @throws ManifestException when a route's token variable is unset on the host or is a name the
     *     bundle reserves; the message names the variable, never a value
     */
    public EgressPlan prepare(BottleDefinition bottle, String identity, Path dir, Map<String, String> hostEnvironment) {
        return prepare(bottle, identity, dir, hostEnvironment, null);
    }

    /**
     * Writes the files as {@link #prepare(BottleDefinition, String, Path, Map)} does, plus a copy of
     * extra trust anchors for egress's upstream TLS ({@code extra-ca.pem}, 0600).
     *
     * @param bottle the bottle
     * @param identity the bottle's identity
     * @param dir the {@code egress/} state subdirectory
     * @param hostEnvironment the host environment
     * @param extraAnchors a PEM file of CA certificates egress trusts beside the system store, or null
     * @return the plan
     * @throws ManifestException when a route's token is unset or reserved, or the anchors file holds
     *     no certificate
     */
    public EgressPlan prepare(
            BottleDefinition bottle,
            String identity,
            Path dir,
            Map<String, String> hostEnvironment,
            @org.jspecify.annotations.Nullable Path extraAnchors) {
        return prepare(bottle, identity, dir, hostEnvironment, extraAnchors, false);
    }

    /**
     * Writes the files as {@link #prepare(BottleDefinition, String, Path, Map, Path)} does, keeping
     * the CA already in {@code dir} when asked: a warm pool member's agent trusts that one.
     *
     * @param bottle the bottle
     * @param identity the bottle's identity
     * @param dir the {@code egress/} state subdirectory
     * @param hostEnvironment the host environment
     * @param extraAnchors a PEM file of CA certificates egress trusts beside the system store, or null
     * @param keepCa whether a CA already in {@code dir} is kept rather than replaced
     * @return the plan
     */
    public EgressPlan prepare(
            BottleDefinition bottle,
            String identity,
            Path dir,
            Map<String, String> hostEnvironment,
            @org.jspecify.annotations.Nullable Path extraAnchors,
            boolean keepCa) {
        List<ManifestException> problems = new ArrayList<>();
        for (int i = 0; i < bottle.routes().size(); i++) {
            EgressRoute r = bottle.routes().get(i);
            if (r.auth() == null) {
                continue;
            }
            String ref = r.auth().tokenRef();
            String field = "egress.routes[" + i + "].auth.token_ref";
            if (reserved(ref)) {
                problems.add(ManifestException.of(
                        field,
                        "token_ref " + ref + " is a variable the sidecar bundle sets" + " itself",
                        "keep the token in a variable of its own, e.g. "
                                + r.host().toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]+", "_") + "_TOKEN"));
            }
            String v = hostEnvironment.get(ref);
            if (v == null || v.isEmpty()) {
                problems.add(ManifestException.of(
                        field,
                        "route " + r.host() + " takes its token from host variable " + ref + ", which is not set",
                        "export " + ref + " before launching"));
            }
        }
        if (!problems.isEmpty()) {
            throw bottle.origin().locate(ManifestException.combine(problems));
        }
        if (extraAnchors != null) {
            String pem;
            try {
                pem = Files.readString(extraAnchors, StandardCharsets.US_ASCII);
            } catch (IOException | UncheckedIOException e) {
                throw ManifestException.of(
                        EXTRA_CA_SETTING,
                        "cannot read " + extraAnchors + " (" + e + ")",
                        "point " + EXTRA_CA_SETTING + " at a readable PEM file of CA certificates");
            }
            if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
                throw ManifestException.of(
                        EXTRA_CA_SETTING,
                        extraAnchors + " holds no PEM certificate",
                        "point " + EXTRA_CA_SETTING + " at a PEM file of CA certificates");
            }
            SecureFiles.writePrivate(dir.resolve("extra-ca.pem"), pem.getBytes(StandardCharsets.US_ASCII));
        } else {
            try {
                // a directory prepared before (a warm member's, a resumed bottle's) may hold one
                Files.deleteIfExists(dir.resolve("extra-ca.pem"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        EgressConfig config = EgressConfig.forBottle(bottle);
        Path routes = dir.resolve("routes.yaml");
        SecureFiles.writePrivate(routes, config.render(identity).getBytes(StandardCharsets.UTF_8));
        if (!(keepCa && Files.isRegularFile(dir.resolve("ca.pem")) && Files.isRegularFile(dir.resolve("ca-key.pem")))) {
            CertificateAuthority.mint("bottles egress CA " + identity, clock)
                    .writeTo(dir.resolve("ca.pem"), dir.resolve("ca-key.pem"));
        }
        Map<String, String> placeholders = new LinkedHashMap<>();
        if (bottle.routes().stream().anyMatch(r -> r.role() == RouteRole.CLAUDE_CODE_OAUTH)) {
            placeholders.put(OAUTH_ENV, OAUTH_PLACEHOLDER);
        }
        return new EgressPlan(
                routes,
                dir.resolve("ca.pem"),
                dir.resolve("ca-key.pem"),
                config,
                config.tokenRefs(),
                placeholders,
                TELEMETRY_OFF);
    }

    /**
     * Merges an approved route into a running bottle's {@code routes.yaml} (atomic rename, so egress
     * never reads half a file) and returns the digest egress logs when it has loaded it.
     *
     * @param routesFile the bottle's {@code egress/routes.yaml}
     * @param identity the bottle's identity
     * @param route the route, without a credential
     * @return the first 16 hex digits of the new file's SHA-256 (egress's {@code routes-reloaded}
     *     line carries it as {@code sha256})
     */
    public static String allow(Path routesFile, String identity, EgressRoute route) {
        EgressConfig merged = EgressConfig.read(routesFile).with(route);
        byte[] bytes = merged.render(identity).getBytes(StandardCharsets.UTF_8);
        SecureFiles.writePrivate(routesFile, bytes);
        return digest(bytes);
    }

    /**
     * Returns the digest egress reports for a routes file's content.
     *
     * @param content the file's bytes
     * @return the first 16 hex digits of its SHA-256
     */
    public static String digest(byte[] content) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(content))
                    .substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Tells whether a variable name is one the bundle sets itself, so a route token cannot use it.
     *
     * @param name a variable name
     * @return true when reserved
     */
    public static boolean reserved(String name) {
        return RESERVED.contains(name) || RESERVED_PREFIXES.stream().anyMatch(name::startsWith);
    }

    private static Map<String, String> telemetryOff() {
        return ClaudeCodeSetup.QUIET_ENV;
    }
}
