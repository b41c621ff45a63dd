package dev.bottles.manifest;

import dev.bottles.ManifestException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The credential egress injects on a route: the scheme and the <em>name</em> of the host
 * environment variable that holds the token. The value itself is never part of a manifest.
 *
 * @param scheme how the token is presented
 * @param tokenRef the host environment variable holding the token
 */
public record RouteAuth(AuthScheme scheme, String tokenRef) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /**
     * Validates the token reference.
     *
     * @param scheme how the token is presented
     * @param tokenRef the host environment variable holding the token
     */
    public RouteAuth {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(tokenRef, "tokenRef");
        if (!NAME.matcher(tokenRef).matches()) {
            throw ManifestException.of(
                    "token_ref",
                    "'" + tokenRef + "' is not an environment variable name",
                    "name the host environment variable that holds the token, e.g. CLAUDE_BOTTLE_OAUTH_TOKEN");
        }
    }

    /**
     * Creates a {@code Bearer} credential.
     *
     * @param tokenRef the host environment variable holding the token
     * @return the auth
     */
    public static RouteAuth bearer(String tokenRef) {
        return new RouteAuth(AuthScheme.BEARER, tokenRef);
    }

    /**
     * Creates a {@code token} credential.
     *
     * @param tokenRef the host environment variable holding the token
     * @return the auth
     */
    public static RouteAuth token(String tokenRef) {
        return new RouteAuth(AuthScheme.TOKEN, tokenRef);
    }
}
