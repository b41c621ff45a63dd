package dev.bottles.manifest;

import dev.bottles.ManifestException;
import java.util.Locale;

/** How egress presents an injected credential in the {@code Authorization} header. */
public enum AuthScheme {
    /** {@code Authorization: Bearer <token>}. */
    BEARER("Bearer"),
    /** {@code Authorization: token <token>} (GitHub/Gitea style). */
    TOKEN("token");

    private final String wire;

    AuthScheme(String wire) {
        this.wire = wire;
    }

    /**
     * Returns the scheme as it appears in the header and in manifests.
     *
     * @return {@code Bearer} or {@code token}
     */
    public String wire() {
        return wire;
    }

    /**
     * Parses a manifest value, ignoring case.
     *
     * @param value {@code Bearer} or {@code token}
     * @return the scheme
     * @throws ManifestException when the value is neither
     */
    public static AuthScheme parse(String value) {
        for (AuthScheme s : values()) {
            if (s.wire.toLowerCase(Locale.ROOT).equals(value.strip().toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw ManifestException.of("scheme", "unknown auth scheme '" + value + "'", "use Bearer or token");
    }
}
