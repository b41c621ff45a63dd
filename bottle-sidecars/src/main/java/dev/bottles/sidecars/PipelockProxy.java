package dev.bottles.sidecars;

import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.sidecars.internal.Yamls;
import dev.bottles.state.SecureFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Prepares pipelock, the bundle's last hop: a strict hostname allowlist, DLP on request bodies and
 * TLS interception with a per-bottle CA. Renders only keys pipelock's strict parser accepts.
 */
public final class PipelockProxy {
    /** Where the bundle mounts {@code pipelock.yaml}. */
    public static final String CONFIG_IN_CONTAINER = "/etc/pipelock.yaml";
    /** Where the bundle mounts the {@code pipelock/} state subdirectory. */
    public static final String DIR_IN_CONTAINER = "/etc/pipelock";
    /** The CA certificate inside the bundle. */
    public static final String CA_CERT_IN_CONTAINER = DIR_IN_CONTAINER + "/ca.pem";
    /** The CA key inside the bundle. */
    public static final String CA_KEY_IN_CONTAINER = DIR_IN_CONTAINER + "/ca-key.pem";
    /** Hosts spliced without interception: pipelock's seed-phrase DLP misfired on Messages API bodies. */
    public static final List<String> PASSTHROUGH = List.of("api.anthropic.com");

    private final Clock clock;

    /** Creates a preparer on the system clock. */
    public PipelockProxy() {
        this(Clock.systemUTC());
    }

    /**
     * Creates a preparer.
     *
     * @param clock the clock CA validity starts from
     */
    public PipelockProxy(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Writes {@code pipelock.yaml} (0600), {@code ca.pem} (0600) and {@code ca-key.pem} (0600).
     *
     * @param bottle the bottle
     * @param identity the bottle's identity
     * @param dir the {@code pipelock/} state subdirectory (exists, 0700)
     * @return the plan
     */
    public PipelockPlan prepare(BottleDefinition bottle, String identity, Path dir) {
        List<String> allowlist = allowlist(bottle);
        Path config = dir.resolve("pipelock.yaml");
        SecureFiles.writePrivate(config, render(identity, allowlist).getBytes(StandardCharsets.UTF_8));
        CertificateAuthority.mint("bottles pipelock CA " + identity, clock)
                .writeTo(dir.resolve("ca.pem"), dir.resolve("ca-key.pem"));
        return new PipelockPlan(config, dir.resolve("ca.pem"), dir.resolve("ca-key.pem"), allowlist);
    }

    /**
     * Returns the hosts pipelock admits: the default Claude Code hosts, then every route host, in
     * manifest order, lower-cased and de-duplicated.
     *
     * @param bottle the bottle
     * @return the allowlist
     */
    public static List<String> allowlist(BottleDefinition bottle) {
        Set<String> hosts = new LinkedHashSet<>(DefaultHosts.CLAUDE_CODE);
        for (EgressRoute r : bottle.routes()) {
            hosts.add(r.host());
        }
        return List.copyOf(hosts);
    }

    static String render(String identity, List<String> allowlist) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("version", 1);
        doc.put("mode", "strict");
        doc.put("api_allowlist", new ArrayList<>(allowlist));
        doc.put("fetch_proxy", map("listen", "0.0.0.0:" + Daemon.PIPELOCK.port()));
        Map<String, Object> forward = map("enabled", true);
        forward.put("sni_verification", true);
        doc.put("forward_proxy", forward);
        Map<String, Object> tls = map("enabled", true);
        tls.put("ca_cert", CA_CERT_IN_CONTAINER);
        tls.put("ca_key", CA_KEY_IN_CONTAINER);
        tls.put("passthrough_domains", new ArrayList<>(PASSTHROUGH));
        doc.put("tls_interception", tls);
        Map<String, Object> body = map("enabled", true);
        body.put("action", "block");
        doc.put("request_body_scanning", body);
        Map<String, Object> logging = map("format", "json");
        logging.put("output", "stdout");
        logging.put("include_allowed", true);
        logging.put("include_blocked", true);
        doc.put("logging", logging);
        return Yamls.render(
                "pipelock config for bottle " + identity + " (rendered by bottles; edits are lost on" + " prepare)",
                doc);
    }

    private static Map<String, Object> map(String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(key, value);
        return m;
    }
}
