package dev.bottles.state;

import dev.bottles.BottleException;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.Objects;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * A bottle's identity (the original's "slug"): the slugified agent name, a dash and five random
 * characters from {@code [a-z0-9]}, e.g. {@code researcher-m3hxd}. It names the state dir and
 * every runtime resource of the bottle.
 *
 * @param value the identity
 */
public record BottleIdentity(String value) {
    /** Longest slugified agent part; keeps resource names well inside Docker's limits. */
    public static final int MAX_AGENT_PART = 40;

    private static final Pattern VALID = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final RandomGenerator RANDOM = new SecureRandom();

    /**
     * Validates the identity.
     *
     * @param value the identity
     */
    public BottleIdentity {
        Objects.requireNonNull(value, "value");
        if (!VALID.matcher(value).matches()) {
            throw new BottleException("'" + value + "' is not a bottle identity: it must be 1-63 characters of"
                    + " [a-z0-9-], starting and ending with a letter or digit (e.g. researcher-m3hxd)");
        }
    }

    /**
     * Mints a fresh identity for an agent.
     *
     * @param agentName the agent's name
     * @return a new identity
     */
    public static BottleIdentity fresh(String agentName) {
        return fresh(agentName, RANDOM);
    }

    /**
     * Mints a fresh identity from a given random source (for reproducible tests).
     *
     * @param agentName the agent's name
     * @param random the random source
     * @return a new identity
     */
    public static BottleIdentity fresh(String agentName, RandomGenerator random) {
        StringBuilder sb = new StringBuilder(slugify(agentName)).append('-');
        for (int i = 0; i < 5; i++) {
            sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return new BottleIdentity(sb.toString());
    }

    /**
     * Parses an identity given by a user, e.g. to resume a bottle.
     *
     * @param value the identity
     * @return the identity
     * @throws BottleException when it is not a valid identity
     */
    public static BottleIdentity of(String value) {
        return new BottleIdentity(value);
    }

    /**
     * Slugifies a name: lower case, every run of characters outside {@code [a-z0-9]} becomes one
     * {@code -}, no leading or trailing {@code -}, at most {@link #MAX_AGENT_PART} characters; an
     * empty result becomes {@code agent}.
     *
     * @param name the name
     * @return the slug
     */
    public static String slugify(String name) {
        String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (s.length() > MAX_AGENT_PART) {
            s = s.substring(0, MAX_AGENT_PART).replaceAll("-+$", "");
        }
        return s.isEmpty() ? "agent" : s;
    }

    @Override
    public String toString() {
        return value;
    }
}
