package dev.bottles.manifest;

import dev.bottles.ManifestException;
import java.util.Locale;

/** What egress does with a route's TLS: terminate it and inspect what goes through, or pass it through untouched. */
public enum RouteTls {
    /** The default: egress terminates TLS with the bottle's CA and inspects every request. */
    INSPECT,
    /**
     * For clients that pin certificates: egress splices the tunnel after checking SNI; nothing inside
     * is inspected, and no credential or path allowlist can apply.
     */
    PASSTHROUGH;

    /**
     * Returns the wire spelling.
     *
     * @return {@code inspect} or {@code passthrough}
     */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses the manifest's {@code tls} value.
     *
     * @param text {@code inspect} or {@code passthrough}
     * @return the mode
     * @throws ManifestException for any other value
     */
    public static RouteTls parse(String text) {
        for (RouteTls t : values()) {
            if (t.wire().equals(text)) {
                return t;
            }
        }
        throw ManifestException.of(
                "tls",
                "unknown tls mode '" + text + "'",
                "write 'tls: passthrough' for a client that pins certificates, or leave tls out (inspect)");
    }
}
