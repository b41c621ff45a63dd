package dev.bottles.spi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Chooses each bottle's /24 inside a /16 (default {@code 192.168.0.0/16}), as the original did.
 *
 * <p>The third octet comes from a stable hash of the identity: the first four bytes of
 * SHA-256(identity), unsigned, modulo 253, index into 1..254 with 17 left out (17 is skipped
 * because it collides with Docker's usual default range). When the engine answers "Pool
 * overlaps", launch tries the next candidates in order, wrapping around, a bounded number of
 * times, and records the subnet it got.
 *
 * @param first the /16's first octet
 * @param second the /16's second octet
 */
public record SubnetPool(int first, int second) {
    /** The setting that moves the pool, e.g. {@code 10.77.0.0/16} or {@code 10.77}. */
    public static final String SETTING = "BOTTLE_SUBNET_BASE";
    /** The original's pool, {@code 192.168.0.0/16}. */
    public static final SubnetPool DEFAULT = new SubnetPool(192, 168);
    /** How many candidates launch tries by default before giving up. */
    public static final int DEFAULT_ATTEMPTS = 16;

    private static final int[] OCTETS = octets();
    private static final Pattern BASE = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})(?:\\.0\\.0/16)?");

    /**
     * Validates the octets.
     *
     * @param first the /16's first octet
     * @param second the /16's second octet
     */
    public SubnetPool {
        new Subnet(first, second, 0);
    }

    /**
     * Parses a pool such as {@code 10.77.0.0/16} or {@code 10.77}.
     *
     * @param text the pool
     * @return the pool
     * @throws IllegalArgumentException when the text is not a /16
     */
    public static SubnetPool parse(String text) {
        Matcher m = BASE.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a /16 such as 10.77.0.0/16; set " + SETTING + " to one");
        }
        return new SubnetPool(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    /**
     * Returns the pool named by the {@link #SETTING} setting, or the default.
     *
     * @param settings the settings
     * @return the pool
     */
    public static SubnetPool from(Settings settings) {
        return settings.get(SETTING).map(SubnetPool::parse).orElse(DEFAULT);
    }

    /**
     * Returns the subnet a bottle prefers.
     *
     * @param identity the bottle's identity
     * @return its first candidate
     */
    public Subnet preferred(String identity) {
        return candidates(identity, 1).get(0);
    }

    /**
     * Returns the subnets launch tries for a bottle, in order.
     *
     * @param identity the bottle's identity
     * @param count how many, 1 to 253
     * @return the candidates; the first is {@link #preferred(String)}
     */
    public List<Subnet> candidates(String identity, int count) {
        if (count < 1 || count > OCTETS.length) {
            throw new IllegalArgumentException("count must be 1.." + OCTETS.length + ", was " + count);
        }
        int start = index(identity);
        List<Subnet> out = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            out.add(new Subnet(first, second, OCTETS[(start + k) % OCTETS.length]));
        }
        return out;
    }

    private static int index(String identity) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            long h = ((d[0] & 0xffL) << 24) | ((d[1] & 0xffL) << 16) | ((d[2] & 0xffL) << 8) | (d[3] & 0xffL);
            return (int) (h % OCTETS.length);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    private static int[] octets() {
        int[] o = new int[253];
        int i = 0;
        for (int x = 1; x <= 254; x++) {
            if (x != 17) {
                o[i++] = x;
            }
        }
        return o;
    }
}
