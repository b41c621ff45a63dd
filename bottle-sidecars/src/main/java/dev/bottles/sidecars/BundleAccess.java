package dev.bottles.sidecars;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;

/**
 * A bottle's access credential: a random value minted at prepare that the agent's configuration
 * carries and every agent-facing daemon requires, so nothing else that can reach the bundle (a
 * local user on the host, another container on the same network) can use it. Egress wants it as
 * {@code Proxy-Authorization: Basic} (the proxy URL's password), supervise as a bearer header in the
 * MCP configuration, and the git gate as the first path segment of the {@code insteadOf} URL (the
 * {@code git://} protocol has no other place for a credential that stock git sends). It is no
 * secret from the agent; it never goes on an argv or into a log, and {@link #toString()} hides it.
 *
 * @param token the credential, URL-safe base64 of 32 random bytes
 */
public record BundleAccess(String token) {
    /** The bundle's variable holding the credential. */
    public static final String ENV = "CLAUDE_BOTTLE_ACCESS_TOKEN";
    /** The user name in the agent's proxy URL (egress ignores it). */
    public static final String PROXY_USER = "bottle";

    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * Validates the credential.
     *
     * @param token the credential
     */
    public BundleAccess {
        Objects.requireNonNull(token, "token");
        if (!token.matches("[A-Za-z0-9_-]{32,}")) {
            throw new IllegalArgumentException("an access credential is at least 32 URL-safe base64 characters");
        }
    }

    /**
     * Mints a fresh credential.
     *
     * @return the credential
     */
    public static BundleAccess mint() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return new BundleAccess(Base64.getUrlEncoder().withoutPadding().encodeToString(b));
    }

    /**
     * Returns the agent's proxy URL, credential included.
     *
     * @param egress where the agent reaches egress
     * @return e.g. {@code http://bottle:<credential>@192.168.42.2:8080}
     */
    public String proxyUrl(HostPort egress) {
        return "http://" + PROXY_USER + ":" + token + "@" + egress;
    }

    @Override
    public String toString() {
        return "BundleAccess[****]";
    }
}
