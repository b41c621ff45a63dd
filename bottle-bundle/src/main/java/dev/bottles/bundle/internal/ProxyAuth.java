package dev.bottles.bundle.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Checks the bottle's access credential: {@code Proxy-Authorization: Basic} (any user name, the
 * credential as password) on egress, {@code Authorization: Bearer} on supervise. Comparisons take the
 * same time whatever the input, so timing tells nothing about the credential.
 */
public final class ProxyAuth {
    private ProxyAuth() {}

    /**
     * Tells whether a {@code Proxy-Authorization} value carries the credential.
     *
     * @param header the header's value, or null when absent
     * @param credential the bottle's access credential
     * @return true when it does
     */
    public static boolean accepts(@Nullable String header, String credential) {
        if (header == null) {
            return false;
        }
        String h = header.strip();
        if (h.length() < 6 || !h.substring(0, 6).toLowerCase(Locale.ROOT).equals("basic ")) {
            return false;
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(h.substring(6).strip());
        } catch (IllegalArgumentException e) {
            return false;
        }
        String pair = new String(decoded, StandardCharsets.UTF_8);
        int colon = pair.indexOf(':');
        return colon >= 0 && same(pair.substring(colon + 1), credential);
    }

    /**
     * Tells whether an {@code Authorization} value is {@code Bearer <credential>}.
     *
     * @param header the header's value, or null when absent
     * @param credential the bottle's access credential
     * @return true when it is
     */
    public static boolean bearer(@Nullable String header, String credential) {
        if (header == null) {
            return false;
        }
        String h = header.strip();
        return h.length() > 7
                && h.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")
                && same(h.substring(7).strip(), credential);
    }

    /**
     * Compares two secrets in constant time.
     *
     * @param given what a client sent
     * @param credential the credential
     * @return true when equal
     */
    public static boolean same(String given, String credential) {
        return MessageDigest.isEqual(
                given.getBytes(StandardCharsets.UTF_8), credential.getBytes(StandardCharsets.UTF_8));
    }
}
